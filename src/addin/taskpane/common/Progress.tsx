import { Spinner } from '@fluentui/react-components';

export interface ProgressProps {
  /** Label of the step in progress, read out by screen readers. */
  label: string;
}

/** Renders a spinner with its label for one network step. */
export function Progress({ label }: ProgressProps) {
  return (
    <div role="status" aria-live="polite">
      <Spinner size="small" labelPosition="after" label={label} />
    </div>
  );
}
