/** Requests sent to JumpCloud, for the run summary. Every attempt counts, retries included. */
export interface RequestCounts {
  total: number;
  retries: number;
  /** Attempts per endpoint, keyed `GET /api/v2/usergroups/{group_id}/members`. */
  byEndpoint: Record<string, number>;
}

export class RequestCounters {
  private total = 0;
  private retries = 0;
  private readonly byEndpoint = new Map<string, number>();

  countAttempt(endpoint: string, isRetry: boolean): void {
    this.total += 1;
    if (isRetry) this.retries += 1;
    this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
  }

  snapshot(): RequestCounts {
    return { total: this.total, retries: this.retries, byEndpoint: Object.fromEntries(this.byEndpoint) };
  }
}
