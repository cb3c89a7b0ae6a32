// src/provisioning — pure provisioning logic (no sockets, no SQLite): the intents catalogue,
// template/zone/position content and its YAML form, model profiles, assignment, desired state,
// the RPC planner, compliance with NAMUR NE 107 signals, and model readiness reports.
// services/acs/provision.ts wires it into CWMP sessions; store/provisioning*.ts persists it.

export { parseProvisioningDocuments } from './parse.ts';
export {
  CRITICALITY_DEFAULTS, emptyContent,
  type ProvisioningContent, type Template, type Zone, type Position, type Rule, type RuleMatch, type PositionMatch,
  type Criticality, type ZoneMode, type Values,
} from './content.ts';
export { intentDef, allIntentNames, isSecretIntent, parseLineIntent, canonicalIntentValue, type IntentDef } from './intents.ts';
