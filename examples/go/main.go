// A Go program that makes one SST deployer, as written after
//
//	pulumi package add github.com/<org>/sst-deployer@v0.2.0
//
// which generates the SDK in sdks/sst-deployer and prints the replace directive for
// go.mod; the import path below is the one it prints for this package (check yours). Every
// input is plain (schema.json), so the fields take Go values and plain types, not
// pulumi.Input. Not run
// here (no Pulumi CLI, no Go toolchain); tests/test_examples.py checks the field names
// against schema.json and that they are the other examples' settings.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	sstdeployer "github.com/pulumi/pulumi-sst-deployer/sdk/go/sst-deployer"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		strategy := sstdeployer.Strategy("least-privilege")
		deployer, err := sstdeployer.NewDeployerRole(ctx, "deployer", &sstdeployer.DeployerRoleArgs{
			Regions:   []string{"eu-west-1", "us-east-1"},
			AccountId: pulumi.StringRef("112233445566"),
			Strategy:  &strategy,
			Features: &sstdeployer.Features{
				LiveLambda: pulumi.BoolRef(false),
				Bind:       pulumi.BoolRef(true),
			},
			Trust: &sstdeployer.Trust{
				Principals: []string{},
				GithubOidc: &sstdeployer.GithubOidc{
					Repository: pulumi.StringRef("acme/web"),
					Branches:   []string{"main"},
				},
			},
			MaxSessionDuration: pulumi.IntRef(7200),
			ProfileName:        pulumi.StringRef("acme-staging"),
			Tags:               map[string]string{"team": "platform"},
		})
		if err != nil {
			return err
		}
		ctx.Export("roleArn", deployer.RoleArn)
		ctx.Export("roleName", deployer.RoleName)
		ctx.Export("policyArns", deployer.PolicyArns)
		ctx.Export("awsConfigProfile", deployer.AwsConfigProfile)
		return nil
	})
}
