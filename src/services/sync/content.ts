// The content model a bundle's parts are applied with: the provisioning engine's YAML documents
// (templates, zones, positions, rules) into ProvisioningRepo, in the bundle's transaction.
// The firmware catalogue part and non-YAML parts are not provisioning documents.

import { parseProvisioningDocuments, type ProvisioningContent } from '../../provisioning/index.ts';
import { ProvisioningRepo } from '../../store/provisioning.ts';
import { provisioningParts } from '../../protocols/bundle/index.ts';
import type { ContentModel } from './apply.ts';
import '../../provisioning/events.ts';

export const provisioningModel: ContentModel = {
  parse: (parts) => parseProvisioningDocuments(provisioningParts(parts)),
  apply: (store, content, version) => { new ProvisioningRepo(store).replaceContent(content as ProvisioningContent, { kind: 'bundle', version }); },
  // The ACS re-plans phones (and rolls the change out) when the content changes.
  applied: ({ store, events }) => events.emit('provisioning.content.changed', { revision: new ProvisioningRepo(store).info().revision, source: 'bundle' }),
};
