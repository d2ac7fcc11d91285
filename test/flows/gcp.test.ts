/** GCP Cloud Logging entries on the real samples of test/fixtures/flows/gcp (SOURCES.md): every entry, exactly. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, describe as group, it } from "vitest";
import { connectRecords } from "../../lib/flows/connections.js";
import { describe, describeConnection, FIXTURES, fixture, parseAll, textObject } from "./support.js";

/** Kibana (5601) and Elasticsearch (9200), the services of the sample's project. */
const servicePorts = (_protocol: number, port: number) => port === 5601 || port === 9200;

group("GCP VPC Flow Logs", () => {
  it("reads entries one per line as a sink writes them: int64 as strings, nanosecond times, the reporter's side", async () => {
    const parsed = await parseAll(fixture("gcp/vpc-flows.jsonl"));
    expect(parsed.map(describe)).toEqual([
      "1 10.87.40.76:5601 > 203.0.113.12:33478 p6 accept 7/1776 by projects/my-sample-project/zones/us-east1-b/instances/kibana at src",
      "2 198.51.100.248:9200 > 10.87.40.76:33970 p6 accept 68/173663 by projects/my-sample-project/zones/us-east1-b/instances/kibana at dst",
      "3 10.139.99.242:9200 > 203.0.113.134:33576 p6 accept 78/155707 by projects/my-sample-project/zones/us-east1-b/instances/elasticsearch at src",
      "4 10.139.99.242:22 > 192.0.2.23:59679 p6 accept 1/0 by projects/my-sample-project/zones/us-east1-b/instances/elasticsearch at src",
      "5 10.87.40.76:5601 > 192.0.2.117:50646 p6 accept 7/1784 by projects/my-sample-project/zones/us-east1-b/instances/kibana at src",
      "6 192.0.2.117:50646 > 10.87.40.76:5601 p6 accept 7/1464 by projects/my-sample-project/zones/us-east1-b/instances/kibana at dst",
      "7 10.87.40.76:33880 > 198.51.100.248:9200 p6 accept 92/15169 by projects/my-sample-project/zones/us-east1-b/instances/kibana at src",
      "8 198.51.100.248:9200 > 10.87.40.76:33880 p6 accept 63/167939 by projects/my-sample-project/zones/us-east1-b/instances/kibana at dst",
      "9 192.0.2.23:59679 > 10.139.99.242:22 p6 accept 3/0 by projects/my-sample-project/zones/us-east1-b/instances/elasticsearch at dst",
    ]);
  });

  it("makes one connection of both directions, oriented by the services' ports and the port below 1024", async () => {
    const report = await connectRecords(await parseAll(fixture("gcp/vpc-flows.jsonl")), { servicePorts });
    expect(report.connections.map(describeConnection)).toEqual([
      "10.87.40.76 > 198.51.100.248:9200 p6 accept known 1 records 68/173663 2019-06-14T03:40:08.466Z..2019-06-14T03:49:51.821Z by projects/my-sample-project/zones/us-east1-b/instances/kibana",
      "10.87.40.76 > 198.51.100.248:9200 p6 accept known 2 records 155/183108 2019-06-14T03:40:08.469Z..2019-06-14T03:49:51.821Z by projects/my-sample-project/zones/us-east1-b/instances/kibana",
      "203.0.113.134 > 10.139.99.242:9200 p6 accept known 1 records 78/155707 2019-06-14T03:40:20.510Z..2019-06-14T03:49:51.821Z by projects/my-sample-project/zones/us-east1-b/instances/elasticsearch",
      "192.0.2.117 > 10.87.40.76:5601 p6 accept known 2 records 14/3248 2019-06-14T03:40:36.895Z..2019-06-14T03:40:37.048Z by projects/my-sample-project/zones/us-east1-b/instances/kibana",
      "192.0.2.23 > 10.139.99.242:22 p6 accept known 2 records 4/0 2019-06-14T03:40:45.860Z..2019-06-14T03:40:46.031Z by projects/my-sample-project/zones/us-east1-b/instances/elasticsearch",
      "203.0.113.12 > 10.87.40.76:5601 p6 accept known 1 records 7/1776 2019-06-14T03:45:37.186Z..2019-06-14T03:45:37.301Z by projects/my-sample-project/zones/us-east1-b/instances/kibana",
    ]);
  });

  it("reads the array gcloud logging read --format=json prints, one element at a time, on each element's line", async () => {
    const parsed = await parseAll(fixture("gcp/vpc-flows-array.json"));
    expect(parsed.map(describe)).toEqual([
      "2 34.118.64.229:443 > 10.0.0.4:45950 p6 accept 16/1872 by projects/hazel-aria-348413/zones/europe-central2-a/instances/gke-cluster-3-default-pool-4e355575-tdhx at dst",
      "53 34.118.64.229:443 > 10.0.0.3:41834 p6 accept 32/33792 by projects/hazel-aria-348413/zones/europe-central2-a/instances/gke-cluster-3-default-pool-4e355575-k1w8 at dst",
    ]);
    const report = await connectRecords(parsed);
    expect(report.connections.map(describeConnection)).toEqual([
      "10.0.0.4 > 34.118.64.229:443 p6 accept known 1 records 16/1872 2022-06-03T12:09:42.501Z..2022-06-03T12:09:42.768Z by projects/hazel-aria-348413/zones/europe-central2-a/instances/gke-cluster-3-default-pool-4e355575-tdhx",
      "10.0.0.3 > 34.118.64.229:443 p6 accept known 1 records 32/33792 2022-06-03T12:09:44.421Z..2022-06-03T12:09:44.424Z by projects/hazel-aria-348413/zones/europe-central2-a/instances/gke-cluster-3-default-pool-4e355575-k1w8",
    ]);
  });

  it("reads the same array cut into 7-byte chunks exactly as whole", async () => {
    const text = readFileSync(join(FIXTURES, "gcp/vpc-flows-array.json"), "utf8");
    const parsed = await parseAll(textObject("gcp/vpc-flows-array.json", text));
    expect(parsed.map(describe)).toEqual([
      "2 34.118.64.229:443 > 10.0.0.4:45950 p6 accept 16/1872 by projects/hazel-aria-348413/zones/europe-central2-a/instances/gke-cluster-3-default-pool-4e355575-tdhx at dst",
      "53 34.118.64.229:443 > 10.0.0.3:41834 p6 accept 32/33792 by projects/hazel-aria-348413/zones/europe-central2-a/instances/gke-cluster-3-default-pool-4e355575-k1w8 at dst",
    ]);
  });
});

group("GCP Firewall Rules Logging", () => {
  it("reads ALLOWED and DENIED entries as connections their source opened, the instance on the rule's side", async () => {
    const parsed = await parseAll(fixture("gcp/firewall.jsonl"));
    expect(parsed.map(describe)).toEqual([
      "1 10.128.0.16:60094 > 175.16.199.1:53 p17 reject 0/0 initiator src by projects/test-beats/zones/us-central1-a/instances/adrian-test at src",
      "2 192.0.2.126:64853 > 10.42.0.2:3389 p6 accept 0/0 initiator src by projects/test-beats/zones/us-east1-b/instances/test-windows at dst",
      "3 192.0.2.14:61000 > 10.28.0.16:80 p6 reject 0/0 initiator src by projects/test-beats/zones/us-central1-a/instances/adrian-test at dst",
      "4 192.0.2.14:61000 > 10.28.0.16:80 p6 reject 0/0 initiator src by projects/test-beats/zones/us-central1-a/instances/adrian-test at dst",
    ]);
    const report = await connectRecords(parsed);
    expect(report.connections.map(describeConnection)).toEqual([
      "192.0.2.126 > 10.42.0.2:3389 p6 accept known 1 records 0/0 2019-10-30T13:52:42.191Z..2019-10-30T13:52:42.191Z by projects/test-beats/zones/us-east1-b/instances/test-windows",
      "192.0.2.14 > 10.28.0.16:80 p6 reject known 2 records 0/0 2019-11-11T12:41:31.079Z..2019-11-11T12:41:34.190Z by projects/test-beats/zones/us-central1-a/instances/adrian-test",
      "10.128.0.16 > 175.16.199.1:53 p17 reject known 1 records 0/0 2019-11-12T12:35:17.214Z..2019-11-12T12:35:17.214Z by projects/test-beats/zones/us-central1-a/instances/adrian-test",
    ]);
  });
});
