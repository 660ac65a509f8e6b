import { type Application, type Entity } from '@jumpcloud-graph/domain';
import { APPLICATION_ENTITY } from './data-model.registry';
import { consoleLink, type MappingContext } from './mapping-context';
import { buildEntity, idSegment, nonBlank, omitWhenNull, toEpochMs } from './property-values';

/**
 * The jumpcloud_application entity of a JumpCloud SSO application. No `config` value is ever read
 * (it holds the SAML IdP private key); `_rawData` has `config` removed.
 */
export function toApplicationEntity(app: Application, ctx: MappingContext): Entity {
  return buildEntity({
    definition: APPLICATION_ENTITY,
    key: app.id,
    rawKind: 'application',
    raw: app.raw,
    ctx,
    properties: {
      name: app.name,
      displayName: nonBlank(app.displayLabel) ?? nonBlank(app.displayName) ?? app.name,
      // Entity.description / Entity.active are string / boolean: left out rather than null.
      description: omitWhenNull(nonBlank(app.description)),
      active: omitWhenNull(app.active),
      ssoUrl: nonBlank(app.ssoUrl),
      ssoType: app.ssoType,
      idpCertExpiresOn: toEpochMs(app.idpCertExpirationAt),
      createdOn: omitWhenNull(toEpochMs(app.created)),
      webLink: consoleLink(ctx, `/#/sso/${idSegment(app.id)}/details`),
    },
  });
}
