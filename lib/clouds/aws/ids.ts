/** AWS ids: `aws:<account>:<region>:<instanceId>` and `aws:<account>:<region>:<vpcId>`. A leaf (lib/clouds/names.ts). */
import { cloudIdFormat, idPart } from "../common/id-format.js";

const ACCOUNT = idPart("account", /^\d{12}$/, "12 digits");
const REGION = idPart("region", /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/, "a region such as us-east-1");

export const AWS_IDS = cloudIdFormat({
  cloud: "aws",
  name: "AWS",
  oneOf: "an AWS",
  workload: [
    ACCOUNT,
    REGION,
    // EC2 issues 8 or 17 hex digits; samples and users' estates use other lengths: accept 8 to 17.
    idPart("instanceId", /^i-[0-9a-f]{8,17}$/, "i- and 8 to 17 hex digits"),
  ],
  network: [
    ACCOUNT,
    REGION,
    idPart("vpcId", /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, "vpc- and 8 or 17 hex digits"),
  ],
});
