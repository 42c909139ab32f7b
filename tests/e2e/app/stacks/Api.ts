import { Config, Function, type StackContext } from "sst/constructs";

export function Api({ stack }: StackContext) {
  const greeting = new Config.Secret(stack, "GREETING");
  new Function(stack, "Hello", {
    handler: "src/hello.handler",
    bind: [greeting],
    // A new value per `sst deploy` in the suite: the second deploy updates the stack.
    environment: { E2E_REVISION: process.env.E2E_REVISION ?? "1" },
  });
}
