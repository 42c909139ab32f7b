// The smallest SST v2 app that exercises every deployer statement the CLI uses:
// one stack, one Function bound to one Config.Secret (so `sst secrets set` restarts it).
// tests/e2e sets E2E_* variables: names (the second run proves non-default ones) and a
// revision that changes the function so the second `sst deploy` is an UpdateStack.
import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api.js";

const env = process.env;

export default {
  config() {
    return {
      name: env.E2E_APP ?? "e2eapp",
      region: env.AWS_REGION ?? "us-east-1",
      ...(env.E2E_SSM_PREFIX ? { ssmPrefix: env.E2E_SSM_PREFIX } : {}),
      ...(env.E2E_QUALIFIER
        ? {
            cdk: {
              qualifier: env.E2E_QUALIFIER,
              ...(env.E2E_TOOLKIT_STACK ? { toolkitStackName: env.E2E_TOOLKIT_STACK } : {}),
              ...(env.E2E_FILE_ASSETS_BUCKET ? { fileAssetsBucketName: env.E2E_FILE_ASSETS_BUCKET } : {}),
            },
          }
        : {}),
      ...(env.E2E_BOOTSTRAP_STACK || env.E2E_BOOTSTRAP_BUCKET
        ? {
            bootstrap: {
              ...(env.E2E_BOOTSTRAP_STACK ? { stackName: env.E2E_BOOTSTRAP_STACK } : {}),
              ...(env.E2E_BOOTSTRAP_BUCKET ? { bucketName: env.E2E_BOOTSTRAP_BUCKET } : {}),
            },
          }
        : {}),
    };
  },
  stacks(app) {
    app.stack(Api);
  },
} satisfies SSTConfig;
