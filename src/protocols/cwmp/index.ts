// Public surface of the CWMP codec.
export * from './types.ts';
// parse.ts:     parseEnvelope(body: Buffer | string, opts?: ParseOptions): CwmpEnvelope
// serialize.ts: serializeEnvelope(env: CwmpEnvelope): string
