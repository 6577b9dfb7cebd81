// The server's state as the status bar shows it, fed by the `electraLsp/status` notification,
// the "Loading models" work-done progress and the client's own lifecycle. Pure: no `vscode`.
import { LOADING_PROGRESS_TITLE } from './constants';

export type State = 'starting' | 'loading' | 'ready' | 'error' | 'stopped';
export type Snapshot = { state: State; message: string; percentage?: number };

/** Params of the `electraLsp/status` notification. */
export type StatusParams = { state: 'loading' | 'ready' | 'error'; message: string };

export type ProgressValue = {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
};

export function isStatusParams(value: unknown): value is StatusParams {
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const { state, message } = value as Record<string, unknown>;
  return (
    (state === 'loading' || state === 'ready' || state === 'error') && typeof message === 'string'
  );
}

export class StatusTracker {
  private current: Snapshot = { state: 'starting', message: 'Starting the language server' };
  private readonly loadingTokens = new Set<string | number>();

  constructor(private readonly onChange: (snapshot: Snapshot) => void = () => undefined) {}

  get snapshot(): Snapshot {
    return this.current;
  }

  set(state: State, message: string, percentage?: number): void {
    this.current = percentage === undefined ? { state, message } : { state, message, percentage };
    if (state !== 'loading') {
      this.loadingTokens.clear();
    }
    this.onChange(this.current);
  }

  /** Handle `electraLsp/status`; false (and no change) when the params are malformed. */
  onStatusNotification(params: unknown): boolean {
    if (!isStatusParams(params)) {
      return false;
    }
    this.set(params.state, params.message);
    return true;
  }

  /** Handle one `$/progress` value; only the "Loading models" progress moves the state. */
  onProgress(token: string | number, value: ProgressValue): void {
    if (value.kind === 'begin') {
      if (value.title !== undefined && LOADING_PROGRESS_TITLE.test(value.title)) {
        this.loadingTokens.add(token);
        this.set('loading', value.message ?? value.title, value.percentage);
      }
      return;
    }
    if (!this.loadingTokens.has(token)) {
      return;
    }
    if (value.kind === 'report') {
      this.set('loading', value.message ?? this.current.message, value.percentage);
      return;
    }
    this.loadingTokens.delete(token);
    if (this.current.state === 'loading' && this.loadingTokens.size === 0) {
      this.set('ready', value.message ?? 'Models loaded');
    }
  }
}

const ICONS: Record<State, string> = {
  starting: '$(loading~spin)',
  loading: '$(loading~spin)',
  ready: '$(check)',
  error: '$(error)',
  stopped: '$(circle-slash)',
};

const LABELS: Record<State, string> = {
  starting: 'starting',
  loading: 'loading models',
  ready: 'ready',
  error: 'error',
  stopped: 'stopped',
};

/** Status bar text and tooltip for a snapshot. */
export function presentStatus(snapshot: Snapshot): { text: string; tooltip: string } {
  const percent =
    snapshot.state === 'loading' && snapshot.percentage !== undefined
      ? ` ${Math.round(snapshot.percentage)}%`
      : '';
  const text = `${ICONS[snapshot.state]} 错别字${percent}`;
  const detail = snapshot.message ? `: ${snapshot.message}` : '';
  return {
    text,
    tooltip: `Electra LSP ${LABELS[snapshot.state]}${detail}\nClick for the server status.`,
  };
}

/** Fields of the server's status worth a one-line summary, in this order. */
const SUMMARY_FIELDS = ['documents', 'sentencesChecked', 'cacheHitRate', 'lastLatencyMs'];

/**
 * A one-line summary of the object `electraLsp.showStatus` returns: its `message`, then the
 * main counters (or, for an unknown shape, its scalar fields); the output channel has it all.
 */
export function summarizeStatus(result: unknown): string {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    return JSON.stringify(result);
  }
  const fields = result as Record<string, unknown>;
  const scalar = (value: unknown): boolean =>
    value === null || ['string', 'number', 'boolean'].includes(typeof value);
  const known = SUMMARY_FIELDS.filter((key) => key in fields && scalar(fields[key]));
  const keys = known.length > 0 ? known : Object.keys(fields).filter((key) => scalar(fields[key]));
  const parts = keys
    .filter((key) => key !== 'message')
    .map((key) => `${key}: ${fields[key] === null ? '—' : String(fields[key])}`);
  const message = typeof fields.message === 'string' ? fields.message : '';
  if (parts.length === 0) {
    return message || 'see the output channel';
  }
  return message ? `${message} (${parts.join(', ')})` : parts.join(', ');
}
