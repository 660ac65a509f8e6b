export {
  type Finding,
  type FindingKind,
  type FindingObject,
  type PropertyChange,
  type RuleSummary,
  SEVERITIES,
  type Severity,
  type WebhookAction,
} from './lib/finding';
export { AlertRulesError, type AlertRule, type ChangeRule, parseRules, type QueryRule, ruleSecrets, type Trigger } from './lib/rules';
export {
  type ChangedObjects,
  type EvaluateOptions,
  evaluateRules,
  findingId,
  objectOfRow,
  type PreviousResults,
  type PropertyChanges,
  type RuleEvaluation,
  type RunChanges,
} from './lib/evaluate';
export { type AlertFindingRow, type AlertReport, type AlertStore, runAlerts, type RunAlertsOptions } from './lib/alerts';
export {
  checkWebhookUrl,
  deliverWebhook,
  type DeliverWebhookOptions,
  type DeliveryResult,
  type WebhookBodiesInput,
  type WebhookBody,
  webhookBodies,
  WebhookUrlError,
} from './lib/webhook-delivery';
export { type ReceivedWebhook, type ScriptedResponse, WebhookReceiver, type WebhookReceiverOptions } from './lib/webhook-receiver';
