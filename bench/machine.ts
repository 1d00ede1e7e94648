/** The machine a bench ran on, for the report. */
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  /** Nominal clock of the first core in MHz, as `os.cpus()` reports it; 0 where the VM hides it. */
  cpuMhz: number;
  /** One-minute load average when the bench started; other processes on the machine raise it. */
  loadAverage: number;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    cpuMhz: cpus[0]?.speed ?? 0,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
  };
}
