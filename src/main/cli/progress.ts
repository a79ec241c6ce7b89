import cliProgress from 'cli-progress';
import { jobStepLabels, type JobEvent, type JobStep } from '../../shared';

function secs(s: number | undefined): string {
  if (s === undefined) return '';
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/**
 * The execution timeline on stderr: one line per step, with a progress bar while it runs (on a
 * terminal), its time when done, and warnings as they come. Nothing here goes to stdout.
 */
export class TimelinePrinter {
  private bar: cliProgress.SingleBar | null = null;
  private step: JobStep | null = null;
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY);
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = null;
  }

  onEvent(event: JobEvent): void {
    switch (event.type) {
      case 'step':
        if (event.status === 'started') {
          this.step = event.step;
          if (!this.tty) this.out.write(`… ${jobStepLabels[event.step]}\n`);
        } else {
          this.stopBar();
          this.out.write(
            `${event.status === 'done' ? '✓' : '–'} ${jobStepLabels[event.step].padEnd(20)} ${event.status === 'done' ? secs(event.seconds) : 'skipped'}\n`,
          );
        }
        break;
      case 'progress': {
        if (!this.tty || event.step !== this.step) break;
        const m = event.metrics;
        const detail =
          m?.epoch !== undefined
            ? `epoch ${m.epoch}${m.trainLoss !== undefined ? ` loss ${m.trainLoss.toFixed(3)}` : ''}${m.valLoss !== undefined ? ` val ${m.valLoss.toFixed(3)}` : ''}`
            : (event.message ?? '');
        if (!this.bar) {
          this.bar = new cliProgress.SingleBar(
            {
              format: `  ${jobStepLabels[event.step].padEnd(20)} [{bar}] {percentage}% | ETA {eta_formatted} | {detail}`,
              stream: this.out,
              hideCursor: true,
              clearOnComplete: true,
              barsize: 24,
              etaBuffer: 20,
            },
            cliProgress.Presets.shades_classic,
          );
          this.bar.start(Math.max(1, event.total), 0, { detail });
        }
        this.bar.setTotal(Math.max(1, event.total));
        this.bar.update(Math.min(event.done, event.total), { detail });
        break;
      }
      case 'ready':
        this.stopBar();
        this.out.write(`  backend: ${event.backend}\n`);
        if (event.notice) this.out.write(`  notice: ${event.notice}\n`);
        break;
      case 'log':
        if (event.level !== 'info') {
          this.stopBar();
          this.out.write(`  ${event.level}: ${event.message}\n`);
        }
        break;
      case 'error':
        this.stopBar();
        break;
      default:
        break;
    }
  }

  close(): void {
    this.stopBar();
  }
}
