/**
 * Issue 13, defect 2, through the real EC2 client against moto: an ENI attached to no instance
 * that still carries segsync's group (kept after its instance was terminated) is read by
 * discovery, given the VPC's default group back, and only then is the group deleted. moto accepts
 * deleting a group an ENI carries (test/integration/aws-pipeline.moto.test.ts), so the refusal
 * itself is shown on the simulator (test/reconcile/leave-segsync.test.ts); this checks the reads
 * and writes that avoid it.
 */
import {
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import { applyAwsPlan } from "../../lib/clouds/aws/apply.js";
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import { diffAws } from "../../lib/clouds/aws/diff.js";
import { discoverAws } from "../../lib/clouds/aws/discover.js";
import { materializeAws } from "../../lib/clouds/aws/materialize.js";
import type { AwsLocation } from "../../lib/clouds/aws/model.js";
import { createSdkAwsApiFactory, SdkAwsApi } from "../../lib/clouds/aws/sdk/api.js";
import type { Intent } from "../../lib/compile/model.js";
import type { Attachment } from "../../lib/policy/model.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { AWS_OWNERSHIP } from "../support/seals.js";

const LOCATION: AwsLocation = { account: "123456789012", region: "eu-west-1" };
const LABELS = { tagPrefix: "seg-", dimensions: ["app", "role"] };
/** No workload is enforced any more: the api identity's last server is gone. */
const NOTHING: Intent = { destinations: [], peerSets: [], workloads: [], findings: [] };

describe.skipIf(skipWithoutMoto("the detached-ENI test against moto"))(
  "an ENI attached to no instance that carries segsync's group, through the EC2 client",
  () => {
    let moto: MotoServer;
    let api: AwsApi;
    let client: EC2Client;

    beforeAll(async () => {
      moto = await startMotoServer();
      const factory = createSdkAwsApiFactory({
        accounts: [{ account: LOCATION.account, regions: [LOCATION.region] }],
        endpoint: moto.endpoint,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        maxAttempts: 1,
      });
      api = factory(LOCATION);
      if (!(api instanceof SdkAwsApi)) throw new TypeError("expected the SDK adapter");
      client = api.client;
    }, 30_000);

    afterAll(async () => {
      await moto?.stop();
    });

    it.each(["additive", "exclusive"] as const)(
      "%s: discovery reads it, the plan gives it the default group before deleting the group, and then plans nothing",
      async (attachment: Attachment) => {
        await moto.reset();
        const vpc = await client.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }));
        const vpcId = vpc.Vpc?.VpcId ?? "";
        const subnet = await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.1.1.0/24" }));
        const name = "segsync-oldapi";
        const { groupId } = await api.createSecurityGroup({
          vpcId,
          groupName: name,
          description: "segsync: app=shop,role=api",
          tags: AWS_OWNERSHIP.groupTags(LOCATION, vpcId, name, "app=shop,role=api"),
        });
        const created = await client.send(
          new CreateNetworkInterfaceCommand({ SubnetId: subnet.Subnet?.SubnetId, Groups: [groupId] }),
        );
        const eni = created.NetworkInterface?.NetworkInterfaceId ?? "";

        const options = { quotas: DEFAULT_AWS_QUOTAS, attachment, ownership: AWS_OWNERSHIP };
        const before = await discoverAws(api, LABELS, AWS_OWNERSHIP);
        expect(before.state.networkInterfaces.map((found) => found.NetworkInterfaceId)).toEqual([eni]);
        const defaultGroup = before.state.securityGroups.find((group) => group.GroupName === "default");
        const plan = diffAws(materializeAws(NOTHING, [before.state], options), [before.state], AWS_OWNERSHIP);
        expect(plan.map((operation) => operation.kind)).toEqual([
          "setInterfaceGroups",
          "deleteSecurityGroup",
        ]);
        expect(plan[0]).toMatchObject({
          networkInterfaceId: eni,
          workload: "",
          before: [groupId],
          after: [{ groupId: defaultGroup?.GroupId }],
        });

        await applyAwsPlan(plan, () => api, AWS_OWNERSHIP);
        const after = await discoverAws(api, LABELS, AWS_OWNERSHIP);
        // Given back, it carries nothing of segsync's: discovery no longer reads it, and the group is gone.
        expect(after.state.networkInterfaces).toEqual([]);
        expect(after.state.securityGroups.map((group) => group.GroupId)).not.toContain(groupId);
        const described = await api.describeNetworkInterfaces([
          { Name: "network-interface-id", Values: [eni] },
        ]);
        expect(described.map((found) => found.Groups.map((group) => group.GroupName))).toEqual([["default"]]);
        expect(
          diffAws(materializeAws(NOTHING, [after.state], options), [after.state], AWS_OWNERSHIP),
        ).toEqual([]);
      },
    );
  },
);
