import pino from 'pino';
import { Writable } from 'node:stream';
import { createAnomalyMonitor } from '../../lib/anomalyMonitor';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('anomaly monitor', () => {
  it('warns once when a kind of event passes its threshold within a minute, and counts every event', () => {
    const { logger, lines } = capture();
    const monitor = createAnomalyMonitor(logger, { failed_login: 3 });
    for (let i = 0; i < 10; i++) monitor.record('failed_login');
    monitor.record('conflict');
    expect(monitor.totals()).toMatchObject({ failed_login: 10, conflict: 1 });
    expect(lines.map((l) => [l.level, l.anomaly, l.lastMinute])).toEqual([[40, 'failed_login', 4]]);
  });
});
