import { describe, expect, it } from "vitest";
import { placePattern } from "../../infra/event-places.js";

describe("the EC2 rules' account and region pattern", () => {
  it("is one pair of lists when the accounts share their regions, whatever the order", () => {
    expect(
      placePattern([
        { account: "222222222222", regions: ["us-west-2", "us-east-1"] },
        { account: "111111111111", regions: ["us-east-1", "us-west-2"] },
      ]),
    ).toEqual({ account: ["111111111111", "222222222222"], region: ["us-east-1", "us-west-2"] });
  });

  it("is an $or of one pair per region set otherwise, so no account matches in another's regions", () => {
    expect(
      placePattern([
        { account: "111111111111", regions: ["us-east-1"] },
        { account: "222222222222", regions: ["eu-west-1"] },
        { account: "333333333333", regions: ["us-east-1"] },
      ]),
    ).toEqual({
      $or: [
        { account: ["111111111111", "333333333333"], region: ["us-east-1"] },
        { account: ["222222222222"], region: ["eu-west-1"] },
      ],
    });
  });

  it("gives an account listed twice the union of its regions", () => {
    expect(
      placePattern([
        { account: "111111111111", regions: ["us-east-1"] },
        { account: "111111111111", regions: ["eu-west-1", "us-east-1"] },
      ]),
    ).toEqual({ account: ["111111111111"], region: ["eu-west-1", "us-east-1"] });
  });
});
