// A TypeScript program that makes one SST deployer, as written after
//   pulumi package add github.com/<org>/sst-deployer@v0.2.0
// which generates the SDK in sdks/sst-deployer and adds it to package.json. Not run here
// (no Pulumi CLI, so no SDK generation); tests/test_examples.py checks the property names
// against schema.json and that they are the other examples' settings.
import * as sstDeployer from "@pulumi/sst-deployer";

const deployer = new sstDeployer.DeployerRole("deployer", {
    regions: ["eu-west-1", "us-east-1"],
    accountId: "112233445566",
    strategy: "least-privilege",
    features: {
        liveLambda: false,
        bind: true,
    },
    trust: {
        principals: [],
        githubOidc: {
            repository: "acme/web",
            branches: ["main"],
        },
    },
    maxSessionDuration: 7200,
    profileName: "acme-staging",
    tags: {
        team: "platform",
    },
});

export const roleArn = deployer.roleArn;
export const roleName = deployer.roleName;
export const policyArns = deployer.policyArns;
export const awsConfigProfile = deployer.awsConfigProfile;
