/**
 * What `native:` accepts beyond segsync's own fields (every field of the real shape, null as
 * absent, az and ARM casings, any-case protocols) and what it refuses: a key the real shape does
 * not have, with "did you mean" for a near miss.
 */
import { describe, expect, it } from "vitest";
import { AWS_VPC, estateIssues, estateOf, HEADER, SUB, text, WORKLOADS } from "./fixtures.js";

const E = [...HEADER, ...WORKLOADS];
const nsgId = `/subscriptions/${SUB}/resourceGroups/rg-shop/providers/Microsoft.Network/networkSecurityGroups/nsg-legacy`;
const nsg = (rule: string[], more: string[] = []) => [
  "native:",
  "  azure:",
  "    networkSecurityGroups:",
  `      - id: ${nsgId}`,
  "        name: nsg-legacy",
  "        resourceGroup: rg-shop",
  "        location: eastus",
  ...more,
  "        securityRules:",
  "          - name: ssh",
  "            priority: 100",
  "            direction: Inbound",
  "            access: Allow",
  "            sourceAddressPrefix: '*'",
  "            destinationPortRange: '22'",
  ...rule,
];

describe("native objects as the clouds print them", () => {
  it("takes an NSG rule's protocol in any case, flushConnection and nulls", () => {
    const estate = estateOf(
      text(
        ...E,
        ...nsg(
          [
            "            protocol: TCP",
            "            sourcePortRange: '*'",
            "            destinationAddressPrefix: '*'",
            "            description: null",
          ],
          ["        flushConnection: false", "        tags: null"],
        ),
      ),
    );
    const rule = estate.native?.azure?.networkSecurityGroups?.[0]?.securityRules[0];
    expect(rule?.protocol).toBe("Tcp");
    expect(rule?.description).toBeUndefined();
    expect(estate.native?.azure?.networkSecurityGroups?.[0]?.tags).toEqual({});
  });

  it("takes an AWS-owned prefix list, which has neither MaxEntries nor Version", () => {
    const estate = estateOf(
      text(
        ...E,
        "native:",
        "  aws:",
        "    managedPrefixLists:",
        "      - PrefixListId: pl-63a5400a",
        "        PrefixListName: com.amazonaws.us-east-1.s3",
        "        AddressFamily: IPv4",
        "        State: create-complete",
        "        PrefixListArn: arn:aws:ec2:us-east-1:aws:prefix-list/pl-63a5400a",
        "        OwnerId: AWS",
        "        Tags: []",
      ),
    );
    expect(estate.native?.aws?.managedPrefixLists?.[0]?.MaxEntries).toBeUndefined();
  });
});

describe("keys the real shape does not have", () => {
  it("an ENI field misspelt", () => {
    expect(
      estateIssues(
        text(
          ...E,
          "native:",
          "  aws:",
          "    networkInterfaces:",
          "      - NetworkInterfaceId: eni-0a0000000000000a1",
          `        VpcId: ${AWS_VPC.split(":")[3]}`,
          "        PrivateIpAddress: 10.1.0.50",
          "        MacAdress: 02:2f:8f:b0:cf:75",
        ),
      ),
    ).toEqual([
      'e.yaml:17:9 native.aws.networkInterfaces[0].MacAdress: unknown key "MacAdress" (did you mean "MacAddress"?)',
    ]);
  });

  it("an NSG rule field misspelt", () => {
    expect(
      estateIssues(text(...E, ...nsg(["            protocol: Tcp", "            sourcePortRnage: '*'"]))),
    ).toEqual([
      'e.yaml:26:13 native.azure.networkSecurityGroups[0].securityRules[0].sourcePortRnage: unknown key "sourcePortRnage" (did you mean "sourcePortRange"?)',
    ]);
  });

  it("a firewall field misspelt", () => {
    expect(
      estateIssues(
        text(
          ...E,
          "native:",
          "  gcp:",
          "    firewalls:",
          "      - name: legacy-ssh",
          "        network: https://www.googleapis.com/compute/v1/projects/shop-prod/global/networks/prod-net",
          "        sourceRange: [0.0.0.0/0]",
          "        allowed: [{ IPProtocol: tcp, ports: ['22'] }]",
        ),
      ),
    ).toEqual([
      'e.yaml:16:9 native.gcp.firewalls[0].sourceRange: unknown key "sourceRange" (did you mean "sourceRanges"?)',
    ]);
  });

  it("segsync's own keys stay strict", () => {
    expect(estateIssues(text(...E, "native:", "  awz: {}"))).toEqual([
      'e.yaml:12:3 native.awz: unknown key "awz" (did you mean "aws"?)',
    ]);
  });
});
