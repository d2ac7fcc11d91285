/** Azure's live part (lib/clouds/live.ts): its section of the live configuration, and its places. */
import type { CloudLive, CloudPlaces } from "../live.js";
import { AzureSectionSchema } from "./config.js";

/** The subscriptions, as the ingest functions' environment lists them. */
export interface AzurePlaceList {
  readonly azure?: readonly string[];
}

function azurePlaces(list: AzurePlaceList): CloudPlaces<"azure"> {
  /** Lowercased: Event Grid does not promise the case of a subscription id. */
  const subscriptions = new Set((list.azure ?? []).map((subscription) => subscription.toLowerCase()));
  const refusalOfPlace = (subscription: string) =>
    subscriptions.has(subscription.toLowerCase())
      ? undefined
      : { reason: "subscription-not-configured" as const, detail: `Azure subscription ${subscription}` };
  return {
    refusalOf: (parts) => refusalOfPlace(parts.subscription),
    refusalOfPlace,
    unlistedPlace: () => undefined,
  };
}

export const azureLive = {
  cloud: "azure",
  section: AzureSectionSchema,
  listedOnce: ({ subscriptions }) => [
    {
      what: "subscription",
      values: subscriptions.map((s) => s.subscription),
      pathOf: (index) => ["subscriptions", index, "subscription"],
    },
  ],
  places: azurePlaces,
  listOf: (connection: { readonly subscriptions: readonly string[] }) => ({
    azure: connection.subscriptions,
  }),
} as const satisfies CloudLive<"azure", typeof AzureSectionSchema, AzurePlaceList, never>;
