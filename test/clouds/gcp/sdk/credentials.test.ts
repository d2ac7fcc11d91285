import "aws-sdk-client-mock-vitest/extend";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { GetWebIdentityTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { IdentityPoolClient, JWT } from "google-auth-library";
import { decodeProtectedHeader, importSPKI, jwtVerify } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { gcpAuthClient, providerTokenAudience } from "../../../../lib/clouds/gcp/sdk/credentials.js";
import { CredentialSecretError, GcpCredentialError } from "../../../../lib/live/errors.js";

const PROVIDER =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/segsync/providers/aws";
const SERVICE_ACCOUNT = "segsync@example-project.iam.gserviceaccount.com";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:segsync/gcp-key-AbCdEf";
const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
const AWS_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcm46YXdzOmlhbTo6MTIzNDU2Nzg5MDEyOnJvbGUvc2Vnc3luYyJ9.c2ln";

const stsMock = mockClient(STSClient);
const secretsMock = mockClient(SecretsManagerClient);

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One local server standing in for Google STS (/v1/token), the IAM Credentials API
 * (…:generateAccessToken) and the OAuth token endpoint a service account key signs in at (/token).
 */
let server: Server;
let base = "";
const requests: Recorded[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      requests.push({ method: req.method ?? "", path, headers: req.headers, body });
      res.setHeader("content-type", "application/json");
      if (req.method === "POST" && path === "/v1/token") {
        res.end(
          JSON.stringify({
            access_token: "federated-token",
            issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
            token_type: "Bearer",
            expires_in: 3600,
          }),
        );
      } else if (req.method === "POST" && path.endsWith(":generateAccessToken")) {
        res.end(
          JSON.stringify({
            accessToken: "service-account-token",
            expireTime: new Date(Date.now() + 3_600_000).toISOString(),
          }),
        );
      } else if (req.method === "POST" && path === "/token") {
        res.end(JSON.stringify({ access_token: "key-token", token_type: "Bearer", expires_in: 3600 }));
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  stsMock.reset();
  secretsMock.reset();
  requests.length = 0;
  stsMock
    .on(GetWebIdentityTokenCommand)
    .resolves({ WebIdentityToken: AWS_JWT, Expiration: new Date(Date.now() + 300_000) });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function deps() {
  return {
    sts: new STSClient({ region: "eu-west-1" }),
    secrets: new SecretsManagerClient({ region: "eu-west-1" }),
    tokenUrl: `${base}/v1/token`,
    iamCredentialsUrl: base,
  };
}

describe("gcpAuthClient: federated", () => {
  it("exchanges the STS token at Google STS for the provider and uses the federated token", async () => {
    const client = await gcpAuthClient({ kind: "federated", audience: PROVIDER }, deps());
    expect(client).toBeInstanceOf(IdentityPoolClient);
    await expect(client.getAccessToken()).resolves.toMatchObject({ token: "federated-token" });

    expect(stsMock).toHaveReceivedCommandExactlyOnceWith(GetWebIdentityTokenCommand, {
      Audience: [
        "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/segsync/providers/aws",
      ],
      SigningAlgorithm: "RS256",
      DurationSeconds: 300,
    });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/token"]);
    const form = new URLSearchParams(requests[0]?.body);
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      audience: PROVIDER,
      subject_token: AWS_JWT,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
      scope: CLOUD_PLATFORM,
    });
  });

  it("impersonates the service account with the federated token when one is named", async () => {
    const client = await gcpAuthClient(
      { kind: "federated", audience: PROVIDER, serviceAccount: SERVICE_ACCOUNT },
      deps(),
    );
    await expect(client.getAccessToken()).resolves.toMatchObject({ token: "service-account-token" });

    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/token",
      `POST /v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
    ]);
    expect(new URLSearchParams(requests[0]?.body).get("subject_token")).toBe(AWS_JWT);
    const impersonation = requests[1];
    expect(impersonation?.headers.authorization).toBe("Bearer federated-token");
    expect(JSON.parse(impersonation?.body ?? "")).toEqual({ scope: [CLOUD_PLATFORM], lifetime: "3600s" });
  });

  it("puts the final token on API requests", async () => {
    const client = await gcpAuthClient(
      { kind: "federated", audience: PROVIDER, serviceAccount: SERVICE_ACCOUNT },
      deps(),
    );
    const headers = await client.getRequestHeaders("https://compute.googleapis.com/compute/v1/projects/p");
    expect(headers.get("authorization")).toBe("Bearer service-account-token");
  });

  it("passes an STS failure on to the caller and never calls Google", async () => {
    stsMock.reset();
    stsMock.on(GetWebIdentityTokenCommand).rejects(new Error("boom"));
    const client = await gcpAuthClient({ kind: "federated", audience: PROVIDER }, deps());
    await expect(client.getAccessToken()).rejects.toThrow(/web identity token for audience https:\/\/iam/);
    expect(requests).toHaveLength(0);
  });

  it("builds the token audience as the provider's https URL", () => {
    expect(providerTokenAudience(PROVIDER)).toBe(
      "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/segsync/providers/aws",
    );
  });
});

/** A service account key file as the console downloads it (fewer fields), with a fresh key pair. */
function serviceAccountKey() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    json: {
      type: "service_account",
      project_id: "example-project",
      private_key_id: "0123456789abcdef",
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      client_email: SERVICE_ACCOUNT,
      client_id: "1234567890",
      token_uri: "https://oauth2.googleapis.com/token",
    },
  };
}

describe("gcpAuthClient: secret", () => {
  it("signs in as the service account of the key read from Secrets Manager", async () => {
    const key = serviceAccountKey();
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(key.json) });
    const client = await gcpAuthClient({ kind: "secret", secretArn: SECRET_ARN }, deps());
    expect(secretsMock).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
    expect(client).toBeInstanceOf(JWT);
    expect(client).toMatchObject({
      email: SERVICE_ACCOUNT,
      keyId: "0123456789abcdef",
      scopes: [CLOUD_PLATFORM],
    });

    // The library's token URL is fixed (oauth2.googleapis.com): send its request to the fake instead.
    client.transporter.interceptors.request.add({
      resolved: async (options) => {
        options.url = new URL(`${base}/token`);
        return options;
      },
    });
    await expect(client.getAccessToken()).resolves.toMatchObject({ token: "key-token" });
    const form = new URLSearchParams(requests[0]?.body);
    expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const assertion = form.get("assertion") ?? "";
    const { payload } = await jwtVerify(assertion, await importSPKI(key.publicKey, "RS256"), {
      issuer: SERVICE_ACCOUNT,
      audience: "https://oauth2.googleapis.com/token",
    });
    expect(payload.scope).toBe(CLOUD_PLATFORM);
    expect(decodeProtectedHeader(assertion).alg).toBe("RS256");
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 0);
  });

  it("reports a secret that cannot be read", async () => {
    const missing = new ResourceNotFoundException({ message: "not found", $metadata: {} });
    secretsMock.on(GetSecretValueCommand).rejects(missing);
    const error = await gcpAuthClient({ kind: "secret", secretArn: SECRET_ARN }, deps()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CredentialSecretError);
    expect(error).toMatchObject({ secretArn: SECRET_ARN, cause: missing });
    expect((error as Error).message).toBe(`secret ${SECRET_ARN}: cannot be read (ResourceNotFoundException)`);
  });

  const good = serviceAccountKey();
  it.each([
    ["no SecretString", { SecretBinary: new Uint8Array([1]) }, "has no SecretString (or an empty one)"],
    [
      "the PEM key alone",
      { SecretString: good.json.private_key },
      "is not JSON; it must hold a service account key file",
    ],
    [
      "another kind of credential",
      { SecretString: JSON.stringify({ ...good.json, type: "external_account" }) },
      'is not a service account key: type: Invalid input: expected "service_account"',
    ],
    [
      "a key without its email",
      { SecretString: JSON.stringify({ ...good.json, client_email: undefined }) },
      "is not a service account key: client_email: Invalid input: expected string, received undefined",
    ],
    [
      "a key that is not a private key",
      { SecretString: JSON.stringify({ ...good.json, private_key: good.publicKey }) },
      'is not a service account key: private_key: Invalid string: must start with "-----BEGIN PRIVATE KEY-----"',
    ],
    [
      "a damaged private key",
      {
        SecretString: JSON.stringify({
          ...good.json,
          private_key: good.json.private_key.replace(/\n[A-Za-z0-9+/]{20}/, "\n!!!!"),
        }),
      },
      "is not a service account key: private_key is not a valid PEM key",
    ],
    ["JSON that is not an object", { SecretString: "[]" }, "is not a service account key: (root): "],
  ])("rejects %s without quoting the key", async (_, output, reason) => {
    secretsMock.on(GetSecretValueCommand).resolves(output);
    const error = await gcpAuthClient({ kind: "secret", secretArn: SECRET_ARN }, deps()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CredentialSecretError);
    const { message, cause } = error as Error;
    expect(message.startsWith(`secret ${SECRET_ARN}: ${reason}`)).toBe(true);
    expect(message).not.toMatch(/MII|BEGIN PUBLIC KEY/);
    expect(message).not.toContain(good.json.private_key.slice(40, 80));
    expect(cause).toBeUndefined();
  });
});

describe("gcpAuthClient: default", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "segsync-adc-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is the application default credential (here: the key file GOOGLE_APPLICATION_CREDENTIALS names)", async () => {
    const file = join(dir, "key.json");
    writeFileSync(file, JSON.stringify(serviceAccountKey().json));
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", file);
    const client = await gcpAuthClient({ kind: "default" });
    expect(client).toBeInstanceOf(JWT);
    expect(client).toMatchObject({ email: SERVICE_ACCOUNT });
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 0);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });

  it("fails clearly when there is no application default credential", async () => {
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", join(dir, "absent.json"));
    const error = await gcpAuthClient({ kind: "default" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GcpCredentialError);
    expect((error as Error).message).toBe("no Google application default credentials were found");
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
