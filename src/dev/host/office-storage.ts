/**
 * `OfficeRuntime.storage` of the simulated add-in, one per agent, as each Outlook profile has
 * its own. It is kept in the page's `localStorage` under one key per agent, so a reload keeps
 * the add-in's sign-in.
 */
const PREFIX = 'worklinkSimulator.officeRuntimeStorage.';

export class OfficeStorage {
  private values: Record<string, string> = {};
  private owner = '';

  /** Switches to the storage of `agentEmail`. */
  use(agentEmail: string): void {
    this.owner = agentEmail.toLowerCase();
    try {
      this.values = JSON.parse(localStorage.getItem(PREFIX + this.owner) ?? '{}') as Record<string, string>;
    } catch {
      this.values = {};
    }
  }

  get(key: string): string | null {
    return Object.prototype.hasOwnProperty.call(this.values, key) ? (this.values[key] as string) : null;
  }

  set(key: string, value: string): void {
    this.values[key] = value;
    this.save();
  }

  remove(key: string): void {
    delete this.values[key];
    this.save();
  }

  keys(): string[] {
    return Object.keys(this.values);
  }

  private save(): void {
    if (this.owner !== '') localStorage.setItem(PREFIX + this.owner, JSON.stringify(this.values));
  }
}
