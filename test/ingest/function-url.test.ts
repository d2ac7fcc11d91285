import { describe, expect, it, vi } from "vitest";
import {
  FunctionUrlEventError,
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnauthenticatedError,
} from "../../lib/ingest/errors.js";
import {
  bearerToken,
  checkPostWithin,
  jsonBody,
  parseFunctionUrlEvent,
} from "../../lib/ingest/function-url.js";
import { functionUrlEvent } from "../lambdas/harness.js";

describe("Function URL requests", () => {
  it("finds headers whatever the case of their name", () => {
    const event = { ...functionUrlEvent(), headers: { "Aeg-Event-Type": "Notification" } };
    const request = parseFunctionUrlEvent(event);
    expect(request.header("aeg-event-type")).toBe("Notification");
    expect(request.header("AEG-EVENT-TYPE")).toBe("Notification");
    expect(request.header("authorization")).toBeUndefined();
  });

  it("decodes query parameters, and refuses a parameter given twice", () => {
    const request = parseFunctionUrlEvent(functionUrlEvent({ rawQueryString: "code=a%2Bb%3D&x=1&x=2" }));
    expect(request.query("code")).toBe("a+b=");
    expect(request.query("x")).toBeUndefined();
    expect(request.query("missing")).toBeUndefined();
  });

  it("decodes a base64 body, and measures it decoded", () => {
    const request = parseFunctionUrlEvent(functionUrlEvent({ body: '{"é":1}', base64: true }));
    expect(request.bodyBytes).toBe(Buffer.byteLength('{"é":1}'));
    expect(jsonBody(request)).toEqual({ é: 1 });
  });

  it("checks the size before decoding or parsing the body", () => {
    const request = parseFunctionUrlEvent(functionUrlEvent({ body: "x".repeat(101) }));
    const decode = vi.spyOn(request, "bodyText");
    expect(() => checkPostWithin(request, 100)).toThrow(PayloadTooLargeError);
    expect(() => checkPostWithin(request, 100)).toThrow("the body is 101 bytes, over the limit of 100");
    expect(decode).not.toHaveBeenCalled();
    expect(() => checkPostWithin(request, 101)).not.toThrow();
  });

  it("counts a multi-byte body in bytes, not characters", () => {
    const request = parseFunctionUrlEvent(functionUrlEvent({ body: "é".repeat(60) }));
    expect(() => checkPostWithin(request, 100)).toThrow(PayloadTooLargeError);
  });

  it("refuses anything but POST with 405", () => {
    const request = parseFunctionUrlEvent(functionUrlEvent({ method: "get" }));
    expect(() => checkPostWithin(request, 100)).toThrow(MethodNotAllowedError);
  });

  it("reports a body that is not JSON as malformed (400)", () => {
    const error = (() => {
      try {
        jsonBody(parseFunctionUrlEvent(functionUrlEvent({ body: "[{" })));
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(MalformedRequestError);
    expect((error as MalformedRequestError).status).toBe(400);
    expect((error as Error).message).toMatch(/^the body is not JSON: /);
  });

  it("reads a Bearer token, whatever the scheme's case", () => {
    const request = parseFunctionUrlEvent(
      functionUrlEvent({ headers: { Authorization: "bearer abc.def.ghi" } }),
    );
    expect(bearerToken(request)).toBe("abc.def.ghi");
    for (const authorization of ["Basic abc", "Bearer", "Bearer a b"]) {
      const other = parseFunctionUrlEvent(functionUrlEvent({ headers: { authorization } }));
      expect(() => bearerToken(other)).toThrow(UnauthenticatedError);
    }
  });

  it("refuses a Lambda event that is not a Function URL request, naming what is missing", () => {
    expect(() => parseFunctionUrlEvent({ source: "aws.ec2" })).toThrow(FunctionUrlEventError);
    expect(() => parseFunctionUrlEvent({ source: "aws.ec2" })).toThrow(/requestContext/);
  });
});
