import type { components, paths } from '@jumpcloud-graph/jumpcloud-client';
import { ApiError } from './api-error';
import type { DatasetIndex, OrganizationIndex } from './dataset-index';
import type { GraphConnection, GraphObjectWithPaths, Organization, OrganizationSummary } from './dataset.types';
import { filtered, MAX_SYSTEM_INSIGHTS_LIMIT, paginate, parsePage, projector, listParam, type ApiVersion } from './query';
import { applicationUserGroups, applicationUsers } from './traversal';

/**
 * A path template of our OpenAPI document with a GET operation, e.g.
 * `/api/v2/usergroups/{group_id}/members`. Paths with other methods only (Directory Insights'
 * `POST /events`) are served beside this table.
 */
export type PathTemplate = { [P in keyof paths]: paths[P] extends { get: object } ? P : never }[keyof paths];

type GetOperation<P extends PathTemplate> = paths[P] extends { get: infer Operation } ? Operation : never;

/** The JSON body of the document's 200 response for `GET P`. */
export type OkBody<P extends PathTemplate> =
  GetOperation<P> extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;

/** What a handler sees of a request that passed authentication and organization checks. */
export interface RouteContext {
  readonly index: DatasetIndex;
  /** The organization named by `x-org-id`, or the only one of a single-tenant dataset. */
  readonly organization: OrganizationIndex | undefined;
  /** The raw `x-org-id` header, when sent. */
  readonly orgIdHeader: string | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Plan features the key's organizations have: without System Insights, its paths answer 403. */
  readonly features: { readonly systemInsights: boolean };
}

export interface ScopedRouteContext extends RouteContext {
  readonly organization: OrganizationIndex;
}

/**
 * `organization` routes need an organization (`x-org-id` for multi-tenant keys); `account` routes
 * (the organization endpoints themselves) answer for every organization the key sees.
 */
export type RouteDefinition<P extends PathTemplate> =
  | { readonly scope: 'organization'; readonly handle: (context: ScopedRouteContext) => OkBody<P> }
  | { readonly scope: 'account'; readonly handle: (context: RouteContext) => OkBody<P> };

/**
 * One handler per path of the document: a path added to the document without a handler here
 * fails the typecheck, and a handler's body must match the document's 200 response.
 */
export type RouteTable = { readonly [P in PathTemplate]: RouteDefinition<P> };

/** Lists exactly the values of a generated enum: a missing or unknown value fails the typecheck. */
function enumValues<T extends string>() {
  return <const V extends readonly T[]>(values: V & (Exclude<T, V[number]> extends never ? unknown : { missing: Exclude<T, V[number]> })): readonly T[] =>
    values;
}

type Parameters = components['parameters'];
const APPLICATION_TARGETS = enumValues<Parameters['ApplicationAssociationTargets'][number]>()(['agent_group', 'user', 'user_group']);
const SYSTEM_TARGETS = enumValues<Parameters['SystemAssociationTargets'][number]>()(['command', 'policy', 'policy_group', 'user', 'user_group']);
const POLICY_TARGETS = enumValues<Parameters['PolicyAssociationTargets'][number]>()(['system', 'system_group', 'user', 'user_group']);
const USER_TARGETS = enumValues<Parameters['UserAssociationTargets'][number]>()([
  'active_directory',
  'application',
  'g_suite',
  'idp_routing_policy',
  'ldap_server',
  'office_365',
  'password_manager_item',
  'policy',
  'policy_group',
  'radius_server',
  'system',
  'system_group',
]);

/** `targets` is required; each value (repeated or comma-joined) must be one the endpoint documents. */
function parseTargets<T extends string>(query: URLSearchParams, allowed: readonly T[]): Set<T> {
  const values = listParam(query, 'targets', 'v2');
  if (values.length === 0) throw new ApiError(400, `targets is required (one or more of ${allowed.join(', ')})`);
  const targets = new Set<T>();
  for (const value of values) {
    const target = allowed.find((candidate) => candidate === value);
    if (target === undefined) throw new ApiError(400, `invalid targets value "${value}" (expected one of ${allowed.join(', ')})`);
    targets.add(target);
  }
  return targets;
}

function found<T>(map: ReadonlyMap<string, T>, id: string | undefined, what: string): T {
  const value = id === undefined ? undefined : map.get(id);
  if (value === undefined) throw new ApiError(404, `${what} ${id ?? ''} not found`);
  return value;
}

/** Paging (and only paging) over a list of graph edges, as the v2 graph endpoints do it. */
function pageOf(connections: readonly GraphConnection[], query: URLSearchParams): GraphConnection[] {
  return paginate(connections, parsePage(query));
}

/** The traversal endpoints document `filter` (v2 expressions over the fields of each entry) beside the paging. */
function traversalPage(reached: readonly GraphObjectWithPaths[], query: URLSearchParams): GraphObjectWithPaths[] {
  const page = parsePage(query);
  return paginate(filtered(reached, query, 'v2'), page);
}

function listPage<T extends object>(
  view: { select(query: URLSearchParams, version: ApiVersion): readonly T[] },
  query: URLSearchParams,
  version: ApiVersion,
  idField: '_id' | 'id',
): { total: number; page: T[] } {
  const page = parsePage(query);
  const selected = view.select(query, version);
  return { total: selected.length, page: paginate(selected, page).map(projector<T>(query, version, idField)) };
}

/**
 * Live v1 objects carry `id` beside `_id`, with the same value (the official document lists only
 * `_id`), also in `fields` projections and organization summaries: wherever `_id` is, `id` is too.
 */
function v1Object<T extends { _id: string }>(item: T): T & { id: string } {
  return { ...item, id: item._id };
}

/** A v1 list page: `{ totalCount, results }`, each result with its `id`. */
function v1Page<T extends { _id: string }>(view: { select(query: URLSearchParams, version: ApiVersion): readonly T[] }, query: URLSearchParams) {
  const { total, page } = listPage(view, query, 'v1', '_id');
  return { totalCount: total, results: page.map(v1Object) };
}

/**
 * A System Insights table: 403 when the feature is off; else pages of up to 10,000 rows, filtered by
 * `system_id` or the table's own column (`eq` or `in`, as JumpCloud documents).
 */
function systemInsightsPage<T>(context: RouteContext, rows: readonly T[], columns: readonly string[]): T[] {
  if (!context.features.systemInsights) throw new ApiError(403, 'System Insights is not enabled for this organization');
  const page = parsePage(context.query, MAX_SYSTEM_INSIGHTS_LIMIT);
  for (const expression of listParam(context.query, 'filter', 'v2')) {
    const [field, operator] = expression.split(':');
    if (!columns.includes(field ?? '')) throw new ApiError(400, `filter field must be one of ${columns.join(', ')}, got "${field ?? ''}"`);
    if (operator !== 'eq' && operator !== 'in') throw new ApiError(400, `filter operator must be eq or in, got "${operator ?? ''}"`);
  }
  return paginate(filtered(rows, context.query, 'v2'), page);
}

/** The organizations a key sees: all of a multi-tenant dataset, else the one. */
function visibleOrganization(context: RouteContext, id: string | undefined): Organization {
  return found(context.index.organizationsById, id, 'organization').organization;
}

const summary = ({ _id, displayName, logoUrl }: Organization): OrganizationSummary => ({ _id, displayName, logoUrl });

export const ROUTES: RouteTable = {
  '/api/organizations': {
    scope: 'account',
    handle: ({ index, query }) => {
      const { total, page } = listPage(index.organizations, query, 'v1', '_id');
      // The list shows the summary fields only, unless `fields` asks for others.
      const results = listParam(query, 'fields', 'v1').length > 0 ? page : page.map(summary);
      return { totalCount: total, results: results.map(v1Object) };
    },
  },
  '/api/organizations/{id}': {
    scope: 'account',
    handle: (context) => {
      const { params, query, orgIdHeader } = context;
      if (orgIdHeader !== undefined && orgIdHeader !== params['id']) throw new ApiError(400, 'x-org-id and organization id in the path do not match');
      const organization = visibleOrganization(context, params['id']);
      if (listParam(query, 'fields', 'v1').length > 0) return v1Object(projector<Organization>(query, 'v1', '_id')(organization));
      // The real API leaves accountType out unless `fields` names it.
      const { accountType: _accountType, ...defaults } = organization;
      return v1Object(defaults);
    },
  },
  '/api/systemusers': {
    scope: 'organization',
    handle: ({ organization, query }) => v1Page(organization.users, query),
  },
  '/api/systemusers/{id}': {
    scope: 'organization',
    handle: ({ organization, params }) => v1Object(found(organization.usersById, params['id'], 'user')),
  },
  '/api/applications': {
    scope: 'organization',
    handle: ({ organization, query }) => v1Page(organization.applications, query),
  },
  '/api/applications/{id}': {
    scope: 'organization',
    handle: ({ organization, params }) => v1Object(found(organization.applicationsById, params['id'], 'application')),
  },
  '/api/systems': {
    scope: 'organization',
    handle: ({ organization, query }) => v1Page(organization.systems, query),
  },
  '/api/systems/{id}': {
    scope: 'organization',
    handle: ({ organization, params }) => v1Object(found(organization.systemsById, params['id'], 'system')),
  },
  '/api/v2/usergroups': {
    scope: 'organization',
    handle: ({ organization, query }) => listPage(organization.userGroups, query, 'v2', 'id').page,
  },
  '/api/v2/usergroups/{id}': {
    scope: 'organization',
    handle: ({ organization, params }) => found(organization.userGroupsById, params['id'], 'user group'),
  },
  '/api/v2/usergroups/{group_id}/members': {
    scope: 'organization',
    handle: ({ organization, params, query }) => {
      found(organization.userGroupsById, params['group_id'], 'user group');
      return pageOf(organization.userGroupMembers.get(params['group_id'] ?? '') ?? [], query);
    },
  },
  '/api/v2/applications/{application_id}/associations': {
    scope: 'organization',
    handle: ({ organization, params, query }) => {
      found(organization.applicationsById, params['application_id'], 'application');
      const targets = parseTargets<string>(query, APPLICATION_TARGETS);
      const connections = organization.applicationAssociations.get(params['application_id'] ?? '') ?? [];
      return pageOf(
        connections.filter((connection) => targets.has(connection.to.type)),
        query,
      );
    },
  },
  '/api/v2/applications/{application_id}/users': {
    scope: 'organization',
    handle: ({ organization, params, query }) => {
      const application = found(organization.applicationsById, params['application_id'], 'application');
      return traversalPage(applicationUsers(organization, application._id), query);
    },
  },
  '/api/v2/applications/{application_id}/usergroups': {
    scope: 'organization',
    handle: ({ organization, params, query }) => {
      const application = found(organization.applicationsById, params['application_id'], 'application');
      return traversalPage(applicationUserGroups(organization, application._id), query);
    },
  },
  '/api/v2/systemgroups': {
    scope: 'organization',
    handle: ({ organization, query }) => listPage(organization.systemGroups, query, 'v2', 'id').page,
  },
  '/api/v2/systemgroups/{id}': {
    scope: 'organization',
    handle: ({ organization, params }) => found(organization.systemGroupsById, params['id'], 'system group'),
  },
  '/api/v2/systemgroups/{group_id}/members': {
    scope: 'organization',
    handle: ({ organization, params, query }) => {
      found(organization.systemGroupsById, params['group_id'], 'system group');
      return pageOf(organization.systemGroupMembers.get(params['group_id'] ?? '') ?? [], query);
    },
  },
  '/api/v2/systems/{system_id}/associations': {
    scope: 'organization',
    handle: ({ organization, params, query }) => {
      found(organization.systemsById, params['system_id'], 'system');
      const targets = parseTargets<string>(query, SYSTEM_TARGETS);
      const connections = organization.systemAssociations.get(params['system_id'] ?? '') ?? [];
      return pageOf(
        connections.filter((connection) => targets.has(connection.to.type)),
        query,
      );
    },
  },
  '/api/v2/policies': {
    scope: 'organization',
    handle: ({ organization, query }) => listPage(organization.policies, query, 'v2', 'id').page,
  },
  '/api/v2/policies/{policy_id}/associations': {
    scope: 'organization',
    handle: ({ organization, params, query }) => {
      found(organization.policiesById, params['policy_id'], 'policy');
      const targets = parseTargets<string>(query, POLICY_TARGETS);
      const connections = organization.policyAssociations.get(params['policy_id'] ?? '') ?? [];
      return pageOf(
        connections.filter((connection) => targets.has(connection.to.type)),
        query,
      );
    },
  },
  '/api/v2/policyresults': {
    scope: 'organization',
    handle: ({ organization, query }) => listPage(organization.policyResults, query, 'v2', 'id').page,
  },
  '/api/v2/systeminsights/disk_encryption': {
    scope: 'organization',
    handle: (context) => systemInsightsPage(context, context.organization.diskEncryption, ['system_id', 'encryption_status']),
  },
  '/api/v2/systeminsights/os_version': {
    scope: 'organization',
    handle: (context) => systemInsightsPage(context, context.organization.osVersions, ['system_id', 'version']),
  },
  '/api/v2/users/{user_id}/associations': {
    scope: 'organization',
    handle: ({ organization, params, query }) => {
      found(organization.usersById, params['user_id'], 'user');
      const targets = parseTargets<string>(query, USER_TARGETS);
      const sides = organization.userAssociations.get(params['user_id'] ?? '');
      const connections = [...(targets.has('system') ? (sides?.system ?? []) : []), ...(targets.has('application') ? (sides?.application ?? []) : [])];
      return pageOf(connections, query);
    },
  },
};

export interface RouteMatch {
  readonly template: PathTemplate;
  readonly params: Record<string, string>;
}

interface CompiledRoute {
  readonly template: PathTemplate;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

function isPathTemplate(key: string): key is PathTemplate {
  return Object.prototype.hasOwnProperty.call(ROUTES, key);
}

const COMPILED: readonly CompiledRoute[] = Object.keys(ROUTES)
  .filter(isPathTemplate)
  .map((template) => {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_whole, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { template, pattern: new RegExp(`^${source}/?$`), names };
  });

/** Every endpoint key the simulator serves, e.g. `GET /api/v2/usergroups/{group_id}/members`. */
export const ENDPOINT_KEYS: readonly string[] = COMPILED.map((route) => `GET ${route.template}`);

/** Matches a request path against the document's templates; undefined when none matches. */
export function matchRoute(pathname: string): RouteMatch | undefined {
  for (const route of COMPILED) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    try {
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1] ?? '');
      });
    } catch {
      return undefined;
    }
    return { template: route.template, params };
  }
  return undefined;
}
