// Bridge for moto gap: moto has no IoT data plane, so the MQTT-over-WebSocket connection
// SST opens to the endpoint from iot:DescribeEndpoint (sst/src/iot.ts, `new iot.device`
// of aws-iot-device-sdk) can never connect offline and `sst secrets set` waits forever.
// Loaded with `node --require`, this replaces aws-iot-device-sdk's `device` in SST's own
// process by one that connects at once, and reports each MQTT action, with the access key
// SST signed it with, to the recording proxy (E2E_MQTT_REPORT), which judges it like any
// other call: iot:Connect on the client, iot:Subscribe on the topic filter, iot:Receive and
// iot:Publish on the topic (AWS IoT Core policy actions, as AWS IoT authorizes them).
"use strict";
const { EventEmitter } = require("node:events");
const http = require("node:http");
const path = require("node:path");

const REPORT = process.env.E2E_MQTT_REPORT;
const ACCOUNT = process.env.E2E_ACCOUNT;

function report(opts, operation, action, resource) {
  return new Promise((resolve) => {
    const body = JSON.stringify({
      operation, action, resource, region: opts.region, accessKeyId: opts.accessKeyId,
    });
    const req = http.request(REPORT, { method: "POST", headers: { "Content-Type": "application/json" } },
      (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

class RecordedDevice extends EventEmitter {
  constructor(opts) {
    super();
    this.opts = opts;
    // SST gives no clientId: mqtt.js then names the client mqttjs_<8 hex digits> (lib/client.js).
    this.clientId = opts.clientId || "mqttjs_" + Math.random().toString(16).substr(2, 8);
    const arn = (kind, name) => `arn:aws:iot:${opts.region}:${ACCOUNT}:${kind}/${name}`;
    this.arn = arn;
    this.ready = report(opts, "Connect", "iot:Connect", arn("client", this.clientId)).then((status) => {
      if (status === 200) this.emit("connect");
      else this.emit("error", new Error("AccessDenied: iot:Connect"));
    });
  }
  subscribe(topic, options, callback) {
    const cb = typeof options === "function" ? options : callback;
    this.ready
      .then(() => report(this.opts, "Subscribe", "iot:Subscribe", this.arn("topicfilter", topic)))
      .then(() => report(this.opts, "Subscribe", "iot:Receive", this.arn("topic", topic)))
      .then(() => cb && cb(null, [{ topic, qos: 1 }]));
    return this;
  }
  publish(topic, message, options, callback) {
    const cb = typeof options === "function" ? options : callback;
    this.ready
      .then(() => report(this.opts, "Publish", "iot:Publish", this.arn("topic", topic)))
      .then(() => cb && cb());
    return this;
  }
  end(_force, callback) {
    if (typeof callback === "function") callback();
    this.emit("close");
    return this;
  }
}

if (REPORT) {
  const sdk = require.resolve("aws-iot-device-sdk", { paths: [process.cwd(), path.join(process.cwd(), "node_modules/sst")] });
  require(sdk).device = RecordedDevice;
}
