import { type Entity, type Organization } from '@jumpcloud-graph/domain';
import { ACCOUNT_ENTITY } from './data-model.registry';
import { consoleLink, type MappingContext } from './mapping-context';
import { buildEntity, nonBlank, omitWhenNull, toEpochMs } from './property-values';

/** The jumpcloud_account entity (Account, Organization) of one JumpCloud organization. */
export function toAccountEntity(org: Organization, ctx: MappingContext): Entity {
  const name = nonBlank(org.displayName) ?? org.id;
  return buildEntity({
    definition: ACCOUNT_ENTITY,
    key: org.id,
    rawKind: 'organization',
    raw: org.raw,
    ctx,
    properties: {
      name,
      displayName: name,
      vendor: 'JumpCloud',
      accountType: org.accountType,
      createdOn: omitWhenNull(toEpochMs(org.created)),
      // Account.mfaEnabled is a boolean: only set when the organization reports the setting.
      mfaEnabled: omitWhenNull(org.requireAdminMfa),
      webLink: consoleLink(ctx, '/'),
    },
  });
}
