import { describe, expect, it } from "vitest";
import {
  AzureAccessError,
  AzureApiError,
  AzureConflictError,
  AzureInUseError,
  AzureInvalidRequestError,
  AzureNotFoundError,
  AzureOperationFailedError,
  AzureQuotaExceededError,
  AzureThrottledError,
} from "../../../../lib/clouds/azure/errors.js";
import type { CallOptions } from "../../../../lib/clouds/azure/sdk/clients.js";
import { armError, fakeApi, paged, sdkNsg } from "./api-fakes.js";
import { LOCATION, RESOURCE_GROUP } from "./api-wire.js";

async function failure(promise: Promise<unknown>): Promise<AzureApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AzureApiError)) throw new Error(`expected an AzureApiError, got ${String(error)}`);
  return error;
}

const INPUT = {
  resourceGroup: RESOURCE_GROUP,
  name: "nsg-1",
  location: LOCATION,
  tags: {},
  securityRules: [],
};

describe("error mapping", () => {
  it.each([
    [429, "SubscriptionRequestsThrottled", AzureThrottledError],
    [429, "RetryableErrorDueToAnotherOperation", AzureThrottledError],
    [412, "PreconditionFailed", AzureConflictError],
    [404, "ResourceGroupNotFound", AzureNotFoundError],
    [400, "InUseNetworkSecurityGroupCannotBeDeleted", AzureInUseError],
    [400, "ApplicationSecurityGroupInUseByNetworkInterface", AzureInUseError],
    [400, "SecurityRuleCountLimitReached", AzureQuotaExceededError],
    [400, "QuotaExceeded", AzureQuotaExceededError],
    [400, "SecurityRuleInvalidPriority", AzureInvalidRequestError],
    [400, "InvalidResourceReference", AzureInvalidRequestError],
    [401, "InvalidAuthenticationToken", AzureAccessError],
    [403, "AuthorizationFailed", AzureAccessError],
    [409, "AnotherOperationInProgress", AzureApiError],
    [500, "InternalServerError", AzureApiError],
  ] as const)(
    "%i %s → %o, with the RestError as cause, its code and status",
    async (status, code, ErrorClass) => {
      const original = armError(status, code);
      const api = fakeApi({
        networkSecurityGroups: {
          beginCreateOrUpdateAndWait: async () => {
            throw original;
          },
        },
      });

      const error = await failure(api.putNetworkSecurityGroup(INPUT));

      expect(error.constructor).toBe(ErrorClass);
      expect(error).toMatchObject({ code, status, cause: original });
      expect(error.message).toContain("NetworkSecurityGroups_CreateOrUpdate");
    },
  );

  it("keeps ARM's message out of access errors", async () => {
    const leaky = armError(401, "InvalidAuthenticationToken", "token eyJhbGciOi.SECRET-CLAIMS is expired");
    const api = fakeApi({
      networkSecurityGroups: {
        listAll: () => {
          throw leaky;
        },
      },
    });
    const error = await failure(api.listNetworkSecurityGroups());
    expect(error).toBeInstanceOf(AzureAccessError);
    expect(error.message).not.toContain("SECRET-CLAIMS");
  });

  it("maps a failure on a later page of a listing", async () => {
    const api = fakeApi({
      networkSecurityGroups: {
        listAll: () => ({
          async *[Symbol.asyncIterator]() {
            yield* paged([[sdkNsg("a")]]);
            throw armError(503, "ServerBusy");
          },
        }),
      },
    });
    const error = await failure(api.listNetworkSecurityGroups());
    expect(error).toMatchObject({ code: "ServerBusy", status: 503 });
    expect(error.message).toContain("NetworkSecurityGroups_ListAll");
  });

  it("maps a request that never got an answer by its system code", async () => {
    const refused = armError(undefined, "ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1");
    const api = fakeApi({
      networkInterfaces: {
        get: async () => {
          throw refused;
        },
      },
    });
    const error = await failure(api.getNetworkInterface(RESOURCE_GROUP, "nic-1"));
    expect(error.constructor).toBe(AzureApiError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", status: 0, cause: refused });
  });

  it("answers undefined for a get of something that is not there", async () => {
    const api = fakeApi({
      networkSecurityGroups: {
        get: async () => {
          throw armError(404, "ResourceNotFound");
        },
      },
    });
    await expect(api.getNetworkSecurityGroup(RESOURCE_GROUP, "gone")).resolves.toBeUndefined();
  });

  it("maps a long-running operation that ends Failed to AzureOperationFailedError, with ARM's code", async () => {
    const sdkError = new Error("The long-running operation has failed. Conflict. whatever");
    const api = fakeApi({
      applicationSecurityGroups: {
        beginDeleteAndWait: async (_rg: string, _name: string, options?: CallOptions) => {
          options?.onResponse?.({ status: 202 });
          options?.onResponse?.({ status: 200, parsedBody: { status: "InProgress" } });
          options?.onResponse?.({
            status: 200,
            parsedBody: { status: "Failed", error: { code: "CannotDeleteResource", message: "it is busy" } },
          });
          throw sdkError;
        },
      },
    });

    const error = await failure(api.deleteApplicationSecurityGroup(RESOURCE_GROUP, "asg-1"));

    expect(error).toBeInstanceOf(AzureOperationFailedError);
    expect(error).toMatchObject({ code: "CannotDeleteResource", cause: sdkError });
    expect(error.message).toContain(
      "ApplicationSecurityGroups_Delete ended Failed with CannotDeleteResource: it is busy",
    );
  });

  it("maps a canceled operation too", async () => {
    const api = fakeApi({
      networkSecurityGroups: {
        beginCreateOrUpdateAndWait: async (_rg, _name, _parameters, options) => {
          options?.onResponse?.({ status: 200, parsedBody: { status: "Canceled" } });
          throw new Error("Operation was canceled");
        },
      },
    });
    const error = await failure(api.putNetworkSecurityGroup(INPUT));
    expect(error).toBeInstanceOf(AzureOperationFailedError);
    expect(error.code).toBe("Canceled");
  });

  it("leaves a listed resource without an id out of the list and reports it", async () => {
    const api = fakeApi({
      networkSecurityGroups: { listAll: () => paged([[{ name: "no-id" }, sdkNsg("nsg-1")]]) },
    });
    expect((await api.listNetworkSecurityGroups()).map((nsg) => nsg.name)).toEqual(["nsg-1"]);
    expect(api.takeUnreadable()).toMatchObject([
      {
        code: "azure-unreadable-object",
        subject: "network security group no-id",
        message: expect.stringContaining("without an id"),
      },
    ]);
  });

  it("reports a resource ARM returned without an id, when asked for that one, as MalformedResponse", async () => {
    const api = fakeApi({ networkSecurityGroups: { get: async () => ({ name: "no-id" }) } });
    const error = await failure(api.getNetworkSecurityGroup(RESOURCE_GROUP, "no-id"));
    expect(error).toMatchObject({ code: "MalformedResponse" });
  });
});
