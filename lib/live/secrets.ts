import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CredentialSecretError } from "./errors.js";

/** A secret's SecretString as stored (callers trim what they must); never quoted in errors. */
export async function readSecretString(secrets: SecretsManagerClient, secretArn: string): Promise<string> {
  let value: string | undefined;
  try {
    value = (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : "unknown error";
    throw new CredentialSecretError(secretArn, `cannot be read (${name})`, { cause: error });
  }
  if (value === undefined || value.trim() === "") {
    throw new CredentialSecretError(secretArn, "has no SecretString (or an empty one)");
  }
  return value;
}
