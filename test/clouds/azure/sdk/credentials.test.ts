import "aws-sdk-client-mock-vitest/extend";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  GetWebIdentityTokenCommand,
  OutboundWebIdentityFederationDisabledException,
  STSClient,
} from "@aws-sdk/client-sts";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { DefaultAzureCredential } from "@azure/identity";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AzureAuth } from "../../../../lib/clouds/azure/config.js";
import { azureCredential } from "../../../../lib/clouds/azure/sdk/credentials.js";
import { CredentialSecretError } from "../../../../lib/live/errors.js";

const TENANT = "11111111-2222-4333-8444-555555555555";
const CLIENT = "66666666-7777-4888-9999-aaaaaaaaaaaa";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:segsync/azure-AbCdEf";
const ARM_SCOPE = "https://management.azure.com/.default";
const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
/** What STS hands out; the fake Entra only compares it, so it need not be a real JWT. */
const AWS_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcm46YXdzOmlhbTo6MTIzNDU2Nzg5MDEyOnJvbGUvc2Vnc3luYyJ9.c2ln";
const CLIENT_SECRET = "s3cr3t~value.from_secrets-manager";

const stsMock = mockClient(STSClient);
const secretsMock = mockClient(SecretsManagerClient);

/**
 * A fake Entra authority over https (@azure/identity refuses any other scheme): the OpenID
 * configuration MSAL reads, and a token endpoint that records each form it receives.
 */
interface FakeEntra {
  readonly authorityHost: string;
  readonly tokenRequests: URLSearchParams[];
  /** A pipeline policy that trusts the fake's self-signed certificate; it changes nothing else. */
  readonly trustPolicy: PipelinePolicy;
  close(): Promise<void>;
}

let entra: FakeEntra;
let certDir: string;

async function startFakeEntra(): Promise<FakeEntra> {
  // A certificate for 127.0.0.1, made for this run: NODE_EXTRA_CA_CERTS cannot be set once Node runs,
  // so the credential is given a policy that trusts exactly this certificate.
  certDir = mkdtempSync(join(tmpdir(), "segsync-entra-"));
  const keyFile = join(certDir, "key.pem");
  const certFile = join(certDir, "cert.pem");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  const cert = readFileSync(certFile, "utf8");
  const tokenRequests: URLSearchParams[] = [];
  let base = "";
  const server: Server = createServer({ cert, key: readFileSync(keyFile, "utf8") }, (req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", base);
      const tenant = url.pathname.split("/")[1];
      res.setHeader("content-type", "application/json");
      if (req.method === "GET" && url.pathname === `/${tenant}/v2.0/.well-known/openid-configuration`) {
        res.end(
          JSON.stringify({
            issuer: `${base}/${tenant}/v2.0`,
            token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
            authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
            jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
          }),
        );
        return;
      }
      if (req.method === "POST" && url.pathname === `/${tenant}/oauth2/v2.0/token`) {
        const form = new URLSearchParams(body);
        tokenRequests.push(form);
        res.end(
          JSON.stringify({
            token_type: "Bearer",
            expires_in: 3599,
            ext_expires_in: 3599,
            access_token: `entra-token-${tokenRequests.length}`,
          }),
        );
        return;
      }
      res.statusCode = 404;
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    authorityHost: base,
    tokenRequests,
    trustPolicy: {
      name: "trustFakeEntraCertificate",
      sendRequest: (request, next) => {
        request.tlsSettings = { ca: cert };
        return next(request);
      },
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  entra = await startFakeEntra();
});

afterAll(async () => {
  await entra.close();
  rmSync(certDir, { recursive: true, force: true });
});

beforeEach(() => {
  stsMock.reset();
  secretsMock.reset();
  entra.tokenRequests.length = 0;
});

/** The credential as the reconciler builds it, pointed at the fake authority. */
function credential(auth: AzureAuth) {
  return azureCredential(auth, {
    sts: new STSClient({ region: "eu-west-1" }),
    secrets: new SecretsManagerClient({ region: "eu-west-1" }),
    authorityHost: entra.authorityHost,
    // A made-up host is not a known Microsoft authority; discovery would reach for the real cloud.
    credentialOptions: {
      disableInstanceDiscovery: true,
      additionalPolicies: [{ policy: entra.trustPolicy, position: "perCall" }],
    },
  });
}

describe("azureCredential: federated", () => {
  const auth: AzureAuth = {
    kind: "federated",
    tenantId: TENANT,
    clientId: CLIENT,
    audience: "api://AzureADTokenExchange",
  };

  it("exchanges the STS web identity token as the client assertion of the app registration", async () => {
    stsMock
      .on(GetWebIdentityTokenCommand)
      .resolves({ WebIdentityToken: AWS_JWT, Expiration: new Date(Date.now() + 300_000) });
    const token = await credential(auth).getToken(ARM_SCOPE);
    expect(token?.token).toBe("entra-token-1");
    expect(stsMock).toHaveReceivedCommandExactlyOnceWith(GetWebIdentityTokenCommand, {
      Audience: ["api://AzureADTokenExchange"],
      SigningAlgorithm: "RS256",
      DurationSeconds: 300,
    });
    expect(entra.tokenRequests).toHaveLength(1);
    const form = entra.tokenRequests[0];
    expect(form?.get("grant_type")).toBe("client_credentials");
    expect(form?.get("client_id")).toBe(CLIENT);
    expect(form?.get("scope")).toBe(ARM_SCOPE);
    expect(form?.get("client_assertion_type")).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    expect(form?.get("client_assertion")).toBe(AWS_JWT);
    expect(form?.has("client_secret")).toBe(false);
  });

  it("asks STS for the audience the federated credential was given", async () => {
    stsMock
      .on(GetWebIdentityTokenCommand)
      .resolves({ WebIdentityToken: AWS_JWT, Expiration: new Date(Date.now() + 300_000) });
    await credential({ ...auth, audience: "api://segsync-entra" }).getToken(ARM_SCOPE);
    expect(stsMock).toHaveReceivedCommandWith(GetWebIdentityTokenCommand, {
      Audience: ["api://segsync-entra"],
    });
  });

  it("reuses a still-valid STS token when Entra is asked for another scope", async () => {
    stsMock
      .on(GetWebIdentityTokenCommand)
      .resolves({ WebIdentityToken: AWS_JWT, Expiration: new Date(Date.now() + 300_000) });
    const cred = credential(auth);
    await cred.getToken(ARM_SCOPE);
    await cred.getToken(GRAPH_SCOPE);
    expect(entra.tokenRequests.map((form) => form.get("client_assertion"))).toEqual([AWS_JWT, AWS_JWT]);
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 1);
  });

  it("fails with the STS reason and sends nothing to Entra when no token can be had", async () => {
    stsMock
      .on(GetWebIdentityTokenCommand)
      .rejects(new OutboundWebIdentityFederationDisabledException({ message: "disabled", $metadata: {} }));
    await expect(credential(auth).getToken(ARM_SCOPE)).rejects.toThrow(
      /outbound identity federation is not enabled/,
    );
    expect(entra.tokenRequests).toHaveLength(0);
  });
});

describe("azureCredential: secret", () => {
  const auth: AzureAuth = { kind: "secret", tenantId: TENANT, clientId: CLIENT, secretArn: SECRET_ARN };

  it("reads the client secret from Secrets Manager on first use, once, and sends it to Entra", async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: `${CLIENT_SECRET}\n` });
    const cred = credential(auth);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    await expect(cred.getToken(ARM_SCOPE)).resolves.toMatchObject({ token: "entra-token-1" });
    await cred.getToken(GRAPH_SCOPE);
    expect(secretsMock).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
    expect(entra.tokenRequests.map((form) => form.get("client_secret"))).toEqual([
      CLIENT_SECRET,
      CLIENT_SECRET,
    ]);
    expect(entra.tokenRequests[0]?.get("client_id")).toBe(CLIENT);
    expect(entra.tokenRequests[0]?.get("grant_type")).toBe("client_credentials");
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 0);
  });

  it("reports a secret that cannot be read, and reads it again on the next request", async () => {
    const missing = new ResourceNotFoundException({ message: "not found", $metadata: {} });
    secretsMock.on(GetSecretValueCommand).rejectsOnce(missing).resolves({ SecretString: CLIENT_SECRET });
    const cred = credential(auth);
    const error = await cred.getToken(ARM_SCOPE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialSecretError);
    expect(error).toMatchObject({ secretArn: SECRET_ARN, cause: missing });
    expect((error as Error).message).toBe(`secret ${SECRET_ARN}: cannot be read (ResourceNotFoundException)`);
    await expect(cred.getToken(ARM_SCOPE)).resolves.toMatchObject({ token: "entra-token-1" });
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it.each([
    ["a binary secret", { SecretBinary: new Uint8Array([1, 2, 3]) }, "has no SecretString (or an empty one)"],
    ["an empty secret", { SecretString: "  \n" }, "has no SecretString (or an empty one)"],
    [
      "a key/value secret",
      { SecretString: JSON.stringify({ clientSecret: CLIENT_SECRET }) },
      "holds JSON; its SecretString must be the client secret itself",
    ],
  ])("rejects %s without quoting it", async (_, output, reason) => {
    secretsMock.on(GetSecretValueCommand).resolves(output);
    const error = await credential(auth)
      .getToken(ARM_SCOPE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialSecretError);
    expect((error as Error).message).toBe(`secret ${SECRET_ARN}: ${reason}`);
    expect((error as Error).message).not.toContain(CLIENT_SECRET);
    expect((error as Error).cause).toBeUndefined();
    expect(entra.tokenRequests).toHaveLength(0);
  });
});

describe("azureCredential: default", () => {
  it("is DefaultAzureCredential, and reads neither STS nor Secrets Manager", () => {
    expect(azureCredential({ kind: "default" })).toBeInstanceOf(DefaultAzureCredential);
    expect(stsMock).toHaveReceivedCommandTimes(GetWebIdentityTokenCommand, 0);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });
});
