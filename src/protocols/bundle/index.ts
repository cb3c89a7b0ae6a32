// Signed site bundles (docs/sync.md): pure format, hashes, Ed25519 signatures, version and
// expiry checks, the firmware catalogue schema, and secrets sealed for one box. No sockets, no files.
export { canonicalJson } from './canonical.ts';
export { BUNDLE_FORMAT, LIMITS, PART_NAME, buildBundle, parseBundle, serializeBundle, sha256Hex, signedMessage, type BundleDocument, type BundleManifest, type ManifestInput, type PartEntry } from './format.ts';
export { generateKeyPair, keyIdOf, parsePrivateKey, parsePublicKey, publicKeyString, PUBLIC_KEY_PREFIX, type KeyPair } from './keys.ts';
export { isExpired, signBundle, verifyBundle, verifyIntegrity, type VerifiedBundle, type VerifyOptions } from './verify.ts';
export { FIRMWARE_CATALOGUE_PART, FIRMWARE_FILE, parseCatalogue, provisioningParts, type FirmwareCatalogue, type FirmwareImage } from './catalogue.ts';
export { BOX_KEY_PREFIX, SEALED_PREFIX, SEALED_TOKEN, boxPublicKeyOf, generateBoxKey, open as openSealed, parseBoxPublicKey, seal } from './sealed.ts';
export { REPORT_KINDS, COMPLIANCE_STATES, KIND_NAME, MAX_PAYLOAD_BYTES, checkPayload, reportAckSchema, reportBatchSchema, type ReportKind, type ComplianceState, type PayloadOf, type ReportAck, type ReportBatch, type ReportRecord } from './report.ts';
