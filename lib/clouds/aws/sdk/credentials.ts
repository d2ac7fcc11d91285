import { AssumeRoleCommand, STSClient, type STSClientConfig } from "@aws-sdk/client-sts";
import { AwsAccessError } from "../errors.js";
import { toAwsError } from "./errors.js";

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export type TemporaryCredentialsProvider = () => Promise<TemporaryCredentials>;

/**
 * Refreshed this long before they expire: more than the 5 minutes within which the SDK's own
 * memoization already asks again, so that it never gets back the credentials it just refused.
 */
const REFRESH_MARGIN_MS = 10 * 60_000;

export interface AssumeRoleOptions {
  readonly roleArn: string;
  readonly roleSessionName: string;
  /** STS is called in this region (any region of the account: same partition). */
  readonly region: string;
  readonly endpoint?: string;
  /** The caller's own credentials; absent: the SDK's default chain. */
  readonly credentials?: STSClientConfig["credentials"];
  readonly maxAttempts: number;
}

/**
 * Credentials of `roleArn` through STS AssumeRole, shared by every EC2 client of one account:
 * one AssumeRole per account, not per (account, region) client. Concurrent callers share one
 * request; a failed request is not cached.
 *
 * Why not fromTemporaryCredentials (@aws-sdk/credential-providers)? It caches nothing itself
 * (each SDK client memoizes separately: one AssumeRole per region) and builds its STS client
 * from @aws-sdk/nested-clients, out of reach of a mocked STSClient.
 */
export function assumeRoleCredentials(options: AssumeRoleOptions): TemporaryCredentialsProvider {
  const sts = new STSClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts,
  });
  let current: TemporaryCredentials | undefined;
  let pending: Promise<TemporaryCredentials> | undefined;

  async function assumeRole(): Promise<TemporaryCredentials> {
    const operation = `sts:AssumeRole ${options.roleArn}`;
    try {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({ RoleArn: options.roleArn, RoleSessionName: options.roleSessionName }),
      );
      if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
        throw new AwsAccessError(`${operation} returned no credentials`, "MissingCredentials");
      }
      return {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
        expiration: Credentials.Expiration,
      };
    } catch (error) {
      throw toAwsError(error, operation);
    }
  }

  return async () => {
    if (current && !expiresSoon(current)) return current;
    pending ??= assumeRole()
      .then((credentials) => {
        current = credentials;
        return credentials;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

function expiresSoon(credentials: TemporaryCredentials): boolean {
  return (
    credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS
  );
}
