import { costSettingsSchema, type CostSettings } from '$api/contract';
import type { ErrorIssue } from '$api/errors';
import { ApiClientError, type HearthApi } from './api';
import type { ErrorState } from './errors.svelte';
import { Task } from './task.svelte';
import type { ToastState } from './toast.svelte';

export interface CostForm {
  watts: number | null;
  pricePerKwh: number | null;
  currency: string;
  cloudPrices: { name: string; per1MTokens: number | null }[];
}

const costFieldLabels: Record<string, string> = {
  watts: 'Power draw',
  pricePerKwh: 'Electricity price',
  currency: 'Currency',
  cloudPrices: 'Cloud prices'
};

/** "cloudPrices.1.per1MTokens: …" → "Cloud price 2: …"; the other fields by their label. */
function describeCostIssue({ path, message }: ErrorIssue): string {
  const [field, row] = path.split('.');
  if (field === 'cloudPrices' && row !== undefined) return `Cloud price ${Number(row) + 1}: ${message}`;
  return `${costFieldLabels[field] ?? path}: ${message}`;
}

function describeCostFailure(error: unknown): string[] {
  const failure = ApiClientError.from(error);
  return failure.issues?.length ? failure.issues.map(describeCostIssue) : [failure.message];
}

/** The cost settings as saved, and the form's working copy. */
export class CostState {
  saved = $state.raw<CostSettings | null>(null);
  form = $state<CostForm | null>(null);
  /** Saving the form; its problems are a list, one per field. */
  readonly saving = new Task(describeCostFailure);

  changed = $derived(this.form !== null && this.saved !== null && JSON.stringify(this.form) !== JSON.stringify(this.saved));

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState,
    private readonly toast: ToastState
  ) {}

  async load(): Promise<void> {
    try {
      this.show(await this.api.call('settings.cost', {}));
    } catch (error) {
      this.errors.report(error, 'Could not read the cost settings');
    }
  }

  addCloudPrice(): void {
    this.form?.cloudPrices.push({ name: '', per1MTokens: null });
  }

  removeCloudPrice(index: number): void {
    this.form?.cloudPrices.splice(index, 1);
  }

  revert(): void {
    if (this.saved) this.show(this.saved);
  }

  async save(): Promise<void> {
    if (!this.form) return;
    // A plain copy: $state proxies cannot cross IPC. The schema names a cleared field before the server has to.
    const checked = costSettingsSchema.safeParse($state.snapshot(this.form));
    if (!checked.success) {
      this.saving.problem = checked.error.issues.map((issue) => describeCostIssue({ path: issue.path.map(String).join('.'), message: issue.message }));
      return;
    }
    await this.saving.run(async () => {
      this.show(await this.api.call('settings.setCost', { settings: checked.data }));
      this.toast.show('Cost settings saved.');
    });
  }

  private show(settings: CostSettings): void {
    this.saved = settings;
    this.form = { ...settings, cloudPrices: settings.cloudPrices.map((price) => ({ ...price })) };
    this.saving.problem = null;
  }
}
