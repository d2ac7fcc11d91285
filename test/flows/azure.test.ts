/** Azure flow log blobs on the real samples of test/fixtures/flows/azure (SOURCES.md): every tuple, exactly. */
import { expect, describe as group, it } from "vitest";
import { connectRecords } from "../../lib/flows/connections.js";
import { describe, describeConnection, fixture, parseAll } from "./support.js";

group("Azure VNet flow logs", () => {
  it("reads every tuple of the documented sample on its own line: millisecond times, state D a reject, the NIC's MAC", async () => {
    const parsed = await parseAll(fixture("azure/vnet-flow-log.json"));
    expect(parsed.map(describe)).toEqual([
      "20 10.0.0.6:23956 > 52.239.184.180:443 p6 accept 0/0 reply 0/0 initiator src by 00224871C205 at src",
      "21 10.0.0.6:23956 > 52.239.184.180:443 p6 accept 3/767 reply 2/1580 initiator src by 00224871C205 at src",
      "22 10.0.0.6:22730 > 40.74.146.17:443 p6 accept 0/0 reply 0/0 initiator src by 00224871C205 at src",
      "23 10.0.0.6:22730 > 40.74.146.17:443 p6 accept 3/705 reply 4/4569 initiator src by 00224871C205 at src",
      "24 10.0.0.6:22732 > 40.74.146.17:443 p6 accept 0/0 reply 0/0 initiator src by 00224871C205 at src",
      "25 10.0.0.6:22732 > 40.74.146.17:443 p6 accept 3/705 reply 4/4569 initiator src by 00224871C205 at src",
      "26 10.0.0.6:22734 > 40.74.146.17:443 p6 accept 0/0 reply 0/0 initiator src by 00224871C205 at src",
      "27 10.0.0.6:22734 > 40.74.146.17:443 p6 accept 2/134 reply 1/108 initiator src by 00224871C205 at src",
      "28 10.0.0.6:36776 > 104.16.218.84:443 p6 accept 0/0 reply 0/0 initiator src by 00224871C205 at src",
      "29 10.0.0.6:36776 > 104.16.218.84:443 p6 accept 22/2217 reply 33/32466 initiator src by 00224871C205 at src",
      "40 101.33.218.153:55188 > 10.0.0.6:22 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
      "41 192.241.200.164:35276 > 10.0.0.6:119 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
      "47 20.106.221.10:50557 > 10.0.0.6:44357 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
      "48 20.55.117.81:62797 > 10.0.0.6:35945 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
      "49 20.55.113.5:51961 > 10.0.0.6:65515 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
      "50 13.65.224.51:40497 > 10.0.0.6:40129 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
      "51 20.55.117.81:62797 > 10.0.0.6:30472 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
      "52 20.55.113.5:51961 > 10.0.0.6:28184 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
      "53 20.106.221.10:50557 > 10.0.0.6:31244 p6 reject 0/0 reply 0/0 initiator src by 00224871C205 at dst",
    ]);
  });

  it("makes one connection of each B and E tuple pair, counting both directions once", async () => {
    const report = await connectRecords(await parseAll(fixture("azure/vnet-flow-log.json")));
    expect(report.connections.map(describeConnection)).toEqual([
      "20.106.221.10 > 10.0.0.6:44357 p6 reject known 1 records 0/0 2022-09-14T08:59:49.563Z..2022-09-14T08:59:49.563Z by 00224871C205",
      "20.55.117.81 > 10.0.0.6:35945 p6 reject known 1 records 0/0 2022-09-14T08:59:49.679Z..2022-09-14T08:59:49.679Z by 00224871C205",
      "20.55.113.5 > 10.0.0.6:65515 p6 reject known 1 records 0/0 2022-09-14T08:59:49.709Z..2022-09-14T08:59:49.709Z by 00224871C205",
      "13.65.224.51 > 10.0.0.6:40129 p6 reject known 1 records 0/0 2022-09-14T08:59:50.049Z..2022-09-14T08:59:50.049Z by 00224871C205",
      "20.55.117.81 > 10.0.0.6:30472 p6 reject known 1 records 0/0 2022-09-14T08:59:50.145Z..2022-09-14T08:59:50.145Z by 00224871C205",
      "20.55.113.5 > 10.0.0.6:28184 p6 reject known 1 records 0/0 2022-09-14T08:59:50.175Z..2022-09-14T08:59:50.175Z by 00224871C205",
      "101.33.218.153 > 10.0.0.6:22 p6 reject known 1 records 0/0 2022-09-14T08:59:58.065Z..2022-09-14T08:59:58.065Z by 00224871C205",
      "10.0.0.6 > 52.239.184.180:443 p6 accept known 2 records 5/2347 2022-09-14T09:00:03.599Z..2022-09-14T09:00:03.606Z by 00224871C205",
      "10.0.0.6 > 40.74.146.17:443 p6 accept known 2 records 7/5274 2022-09-14T09:00:03.637Z..2022-09-14T09:00:03.640Z by 00224871C205",
      "10.0.0.6 > 40.74.146.17:443 p6 accept known 2 records 7/5274 2022-09-14T09:00:04.251Z..2022-09-14T09:00:04.251Z by 00224871C205",
      "10.0.0.6 > 40.74.146.17:443 p6 accept known 2 records 3/242 2022-09-14T09:00:04.622Z..2022-09-14T09:00:04.622Z by 00224871C205",
      "192.241.200.164 > 10.0.0.6:119 p6 reject known 1 records 0/0 2022-09-14T09:00:05.503Z..2022-09-14T09:00:05.503Z by 00224871C205",
      "20.106.221.10 > 10.0.0.6:31244 p6 reject known 1 records 0/0 2022-09-14T09:00:15.545Z..2022-09-14T09:00:15.545Z by 00224871C205",
      "10.0.0.6 > 104.16.218.84:443 p6 accept known 2 records 55/34683 2022-09-14T09:00:17.343Z..2022-09-14T09:00:22.793Z by 00224871C205",
    ]);
  });
});

group("Azure NSG flow logs", () => {
  it("reads version 2 tuples: T/U protocols, A/D decisions, empty counters of state B", async () => {
    const parsed = await parseAll(fixture("azure/nsg-flow-log-v2.json"));
    expect(parsed.map(describe)).toEqual([
      "18 192.0.2.190:28746 > 10.5.16.4:443 p17 reject 0/0 reply 0/0 initiator src by 000D3AF87856 at dst",
      "19 203.0.113.10:56509 > 10.5.16.4:59336 p6 reject 0/0 reply 0/0 initiator src by 000D3AF87856 at dst",
      "20 198.51.100.8:48495 > 10.5.16.4:8088 p6 reject 0/0 reply 0/0 initiator src by 000D3AF87856 at dst",
      "31 10.5.16.4:59831 > 203.0.113.118:443 p6 accept 0/0 reply 0/0 initiator src by 000D3AF87856 at src",
      "32 10.5.16.4:59932 > 203.0.113.117:443 p6 accept 1/66 reply 1/66 initiator src by 000D3AF87856 at src",
      "33 10.5.16.4:44931 > 203.0.113.115:443 p6 accept 30/16978 reply 24/14008 initiator src by 000D3AF87856 at src",
      "34 10.5.16.4:59929 > 198.51.100.225:443 p6 accept 15/8489 reply 12/7054 initiator src by 000D3AF87856 at src",
      "57 125.64.94.197:59752 > 10.5.16.4:18264 p6 reject 0/0 reply 0/0 initiator src by 000D3AF87856 at dst",
      "58 80.211.72.221:37433 > 10.5.16.4:8088 p6 reject 0/0 reply 0/0 initiator src by 000D3AF87856 at dst",
      "59 46.101.199.124:60577 > 10.5.16.4:8088 p6 reject 0/0 reply 0/0 initiator src by 000D3AF87856 at dst",
      "60 176.119.4.30:57067 > 10.5.16.4:52801 p6 reject 0/0 reply 0/0 initiator src by 000D3AF87856 at dst",
    ]);
    const report = await connectRecords(parsed);
    expect(report.connections.map(describeConnection)).toEqual([
      "10.5.16.4 > 203.0.113.118:443 p6 accept known 1 records 0/0 2018-11-13T11:59:37.000Z..2018-11-13T11:59:37.000Z by 000D3AF87856",
      "10.5.16.4 > 203.0.113.115:443 p6 accept known 1 records 54/30986 2018-11-13T11:59:39.000Z..2018-11-13T11:59:39.000Z by 000D3AF87856",
      "10.5.16.4 > 203.0.113.117:443 p6 accept known 1 records 2/132 2018-11-13T11:59:39.000Z..2018-11-13T11:59:39.000Z by 000D3AF87856",
      "192.0.2.190 > 10.5.16.4:443 p17 reject known 1 records 0/0 2018-11-13T12:00:02.000Z..2018-11-13T12:00:02.000Z by 000D3AF87856",
      "10.5.16.4 > 198.51.100.225:443 p6 accept known 1 records 27/15543 2018-11-13T12:00:06.000Z..2018-11-13T12:00:06.000Z by 000D3AF87856",
      "203.0.113.10 > 10.5.16.4:59336 p6 reject known 1 records 0/0 2018-11-13T12:00:24.000Z..2018-11-13T12:00:24.000Z by 000D3AF87856",
      "198.51.100.8 > 10.5.16.4:8088 p6 reject known 1 records 0/0 2018-11-13T12:00:32.000Z..2018-11-13T12:00:32.000Z by 000D3AF87856",
      "125.64.94.197 > 10.5.16.4:18264 p6 reject known 1 records 0/0 2018-11-13T12:00:37.000Z..2018-11-13T12:00:37.000Z by 000D3AF87856",
      "80.211.72.221 > 10.5.16.4:8088 p6 reject known 1 records 0/0 2018-11-13T12:01:15.000Z..2018-11-13T12:01:15.000Z by 000D3AF87856",
      "46.101.199.124 > 10.5.16.4:8088 p6 reject known 1 records 0/0 2018-11-13T12:01:27.000Z..2018-11-13T12:01:27.000Z by 000D3AF87856",
      "176.119.4.30 > 10.5.16.4:52801 p6 reject known 1 records 0/0 2018-11-13T12:01:30.000Z..2018-11-13T12:01:30.000Z by 000D3AF87856",
    ]);
  });

  it("reads version 1 tuples, and reports the sample's record that nests records instead of properties", async () => {
    const parsed = await parseAll(fixture("azure/nsg-flow-log-v1.json"));
    expect(parsed.map(describe)).toEqual([
      "18 192.0.2.95:51529 > 10.1.0.4:5358 p6 reject 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "29 192.0.2.17:61771 > 10.1.0.4:3389 p6 accept 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "30 203.0.113.34:58596 > 10.1.0.4:3389 p6 accept 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "31 192.0.2.154:61540 > 10.1.0.4:3389 p6 accept 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "32 203.0.113.229:53163 > 10.1.0.4:3389 p6 accept 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "55 198.51.100.194:53 > 10.1.0.4:1732 p17 reject 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "66 198.51.100.68:57776 > 10.1.0.4:3389 p6 accept 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "67 203.0.113.170:59085 > 10.1.0.4:3389 p6 accept 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "68 192.0.2.50:65078 > 10.1.0.4:3389 p6 accept 0/0 reply 0/0 initiator src by 000D3AF8801A at dst",
      "76 malformed: a record with neither flowRecords (VNet flow log) nor properties (NSG flow log)",
    ]);
    const report = await connectRecords(parsed);
    expect(report.connections.map(describeConnection)).toEqual([
      "192.0.2.17 > 10.1.0.4:3389 p6 accept known 1 records 0/0 2017-02-16T21:59:30.000Z..2017-02-16T21:59:30.000Z by 000D3AF8801A",
      "192.0.2.154 > 10.1.0.4:3389 p6 accept known 1 records 0/0 2017-02-16T21:59:53.000Z..2017-02-16T21:59:53.000Z by 000D3AF8801A",
      "203.0.113.34 > 10.1.0.4:3389 p6 accept known 1 records 0/0 2017-02-16T21:59:53.000Z..2017-02-16T21:59:53.000Z by 000D3AF8801A",
      "192.0.2.95 > 10.1.0.4:5358 p6 reject known 1 records 0/0 2017-02-16T22:00:21.000Z..2017-02-16T22:00:21.000Z by 000D3AF8801A",
      "203.0.113.229 > 10.1.0.4:3389 p6 accept known 1 records 0/0 2017-02-16T22:00:23.000Z..2017-02-16T22:00:23.000Z by 000D3AF8801A",
      "198.51.100.68 > 10.1.0.4:3389 p6 accept known 1 records 0/0 2017-02-16T22:00:35.000Z..2017-02-16T22:00:35.000Z by 000D3AF8801A",
      "203.0.113.170 > 10.1.0.4:3389 p6 accept known 1 records 0/0 2017-02-16T22:00:54.000Z..2017-02-16T22:00:54.000Z by 000D3AF8801A",
      "192.0.2.50 > 10.1.0.4:3389 p6 accept known 1 records 0/0 2017-02-16T22:01:17.000Z..2017-02-16T22:01:17.000Z by 000D3AF8801A",
      "198.51.100.194 > 10.1.0.4:1732 p17 reject known 1 records 0/0 2017-02-16T22:01:21.000Z..2017-02-16T22:01:21.000Z by 000D3AF8801A",
    ]);
    expect(report.malformedExamples).toEqual([
      {
        origin: { object: "azure/nsg-flow-log-v1.json", line: 76 },
        reason: "a record with neither flowRecords (VNet flow log) nor properties (NSG flow log)",
      },
    ]);
  });
});
