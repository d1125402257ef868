/** Runs the latest scheduled function once `ms` have passed without another schedule. */
export function debouncer(ms: number): { schedule(run: () => void): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    schedule(run) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        run();
      }, ms);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    }
  };
}
