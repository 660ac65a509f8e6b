import { type JumpCloudSource, SourceFeatureUnavailableError } from '@jumpcloud-graph/domain';
import { DevicePostureCollector } from '@jumpcloud-graph/graph-mapping';
import { type DevicePostureOutcome, type StepContext, type StepImplementation } from './step';

/** Reads System Insights' two tables at once, each a bulk list, folding the rows as they come. */
export async function readDevicePosture(source: JumpCloudSource, orgId: string, signal: AbortSignal): Promise<DevicePostureOutcome> {
  const collector = new DevicePostureCollector();
  const [volumes, versions] = await Promise.allSettled([
    (async () => {
      for await (const page of source.diskVolumes(orgId, signal)) collector.addDiskVolumes(page);
    })(),
    (async () => {
      for await (const page of source.osVersions(orgId, signal)) collector.addOsVersions(page);
    })(),
  ]);
  const errors = [volumes, versions].flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  const failure = errors.find((error) => !(error instanceof SourceFeatureUnavailableError));
  if (failure !== undefined) return { kind: 'failed', error: failure };
  // One table refused is the feature refused: neither half is used.
  if (errors.length > 0) return { kind: 'unavailable', reason: (errors[0] as Error).message };
  return { kind: 'read', collector };
}

/**
 * System Insights of the organization, read once: the devices step starts it before reading the
 * systems and folds it into each device it writes; the device-posture step reports how it went.
 */
export function devicePosture(context: StepContext): Promise<DevicePostureOutcome> {
  context.org.posture ??= readDevicePosture(context.source, context.org.organization.id, context.signal);
  return context.org.posture;
}

/**
 * Encryption and OS build from System Insights (README, "How a sync runs"). It writes no object
 * of its own: the devices step added the properties to the devices it wrote. A 403 (System Insights
 * not on the plan) leaves them out and is logged, not failed; any other error fails this step (the
 * devices were written with their v1 values).
 */
export const devicePostureStep: StepImplementation = {
  id: 'device-posture',
  async execute(context) {
    const outcome = await devicePosture(context);
    if (outcome.kind === 'failed') throw outcome.error;
    reportDevicePosture(context, outcome);
    context.progress(outcome.kind === 'read' ? context.org.ids.devices.filter((id) => outcome.collector.postureOf(id) !== undefined).length : 0);
  },
};

/**
 * Logs what a System Insights outcome leaves out: a warning when the plan lacks it; for a failure
 * too, when no device-posture step is there to fail with it (a run of selected steps).
 */
export function reportDevicePosture({ logger, org }: StepContext, outcome: DevicePostureOutcome): void {
  if (outcome.kind === 'unavailable') {
    logger.warn(
      { organization: org.organization.id, reason: outcome.reason },
      'System Insights is not available: devices keep their v1 encryption flag, without encryptionStatus, osBuild, osPatchLevel or systemInsightsOn',
    );
  } else if (outcome.kind === 'failed') {
    logger.warn(
      { organization: org.organization.id, error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) },
      'System Insights could not be read: devices were written with their v1 encryption flag only',
    );
  }
}
