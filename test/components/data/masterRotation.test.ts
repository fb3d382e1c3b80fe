import * as assert from "node:assert/strict";
import { ROTATION_APP_ID, ROTATION_APP_VERSION } from "../../../components/data/masterRotation";
import { type Evaluation } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan, fakeCell, keyArn } from "../../support/data";
import { ofType, one } from "../../support/harness";

describe("master secret rotation", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
    });

    it("primary only: rotates the master secret with AWS's function in the private subnets", () => {
        const app = one(ev, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack", "use1-data-db-rotation");
        assert.equal(app.inputs.region, "us-east-1");
        assert.equal(app.inputs.applicationId, ROTATION_APP_ID);
        assert.equal(app.inputs.semanticVersion, ROTATION_APP_VERSION);
        assert.deepEqual(app.inputs.capabilities, ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]);
        const params = app.inputs.parameters as Record<string, string>;
        assert.equal(params.endpoint, "https://secretsmanager.us-east-1.amazonaws.com");
        assert.equal(params.vpcSubnetIds, fakeCell("us-east-1").privateSubnetIds.join(","));
        assert.equal(params.kmsKeyArn, keyArn("us-east-1", "use1-global-db-secret-key"));
        const rotation = one(ev, "aws:secretsmanager/secretRotation:SecretRotation", "use1-global-db-master-rotation");
        assert.equal(rotation.inputs.region, "us-east-1");
        assert.deepEqual(rotation.inputs.rotationRules, { automaticallyAfterDays: 30 });
        // The function's name carries the project and stack: Lambda names are unique per account and Region.
        assert.equal(params.functionName, "platform-test-master-rotation");
        assert.equal(rotation.inputs.rotationLambdaArn, "arn:aws:lambda:us-east-1:123456789012:function:platform-test-master-rotation");
        assert.match(
            rotation.inputs.secretId as string,
            /^arn:aws:secretsmanager:us-east-1:123456789012:secret:use1-global-db-master-secret-/,
        );
        const ingress = one(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "use1-data-db-from-rotation");
        assert.deepEqual([ingress.inputs.fromPort, ingress.inputs.toPort, ingress.inputs.ipProtocol], [5433, 5433, "tcp"]);
        assert.deepEqual(
            ofType(ev, "aws:secretsmanager/secretRotation:SecretRotation").map((r) => r.name),
            ["use1-global-db-master-rotation"],
        );
        assert.deepEqual(
            ofType(ev, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack").map((r) => r.name),
            ["use1-data-db-rotation"],
        );
    });
});
