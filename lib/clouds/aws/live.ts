/** AWS's live part (lib/clouds/live.ts): its section of the live configuration, and its places. */
import type { CloudLive, CloudPlaces, PlaceRefusal } from "../live.js";
import { AwsSectionSchema } from "./config.js";

/** The accounts and regions, as the ingest functions' environment lists them. */
export interface AwsPlaceList {
  readonly aws?: readonly { readonly account: string; readonly regions: readonly string[] }[];
}

function awsPlaces(list: AwsPlaceList): CloudPlaces<"aws"> {
  /** account → its regions. */
  const accounts = new Map<string, Set<string>>();
  for (const { account, regions } of list.aws ?? []) {
    const known = accounts.get(account) ?? new Set<string>();
    for (const region of regions) known.add(region);
    accounts.set(account, known);
  }
  const refusalOf = ({ account, region }: { account: string; region: string }): PlaceRefusal | undefined => {
    const regions = accounts.get(account);
    if (regions === undefined) return { reason: "account-not-configured", detail: `AWS account ${account}` };
    if (!regions.has(region))
      return { reason: "region-not-configured", detail: `AWS region ${region} of account ${account}` };
    return undefined;
  };
  return {
    refusalOf,
    refusalOfPlace(place) {
      // locationKey: `account:region`.
      const [account = "", region = ""] = place.split(":");
      return refusalOf({ account, region });
    },
    unlistedPlace: () => undefined,
  };
}

export const awsLive = {
  cloud: "aws",
  section: AwsSectionSchema,
  listedOnce: ({ accounts }) => [
    {
      what: "account",
      values: accounts.map((a) => a.account),
      pathOf: (index) => ["accounts", index, "account"],
    },
    ...accounts.map((account, at) => ({
      what: "region",
      values: account.regions,
      pathOf: (index: number) => ["accounts", at, "regions", index],
    })),
  ],
  places: awsPlaces,
  listOf: (connection: {
    readonly locations: readonly { readonly account: string; readonly region: string }[];
  }) => ({
    aws: connection.locations.map(({ account, region }) => ({ account, regions: [region] })),
  }),
} as const satisfies CloudLive<"aws", typeof AwsSectionSchema, AwsPlaceList, never>;
