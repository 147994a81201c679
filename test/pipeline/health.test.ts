// Stream health states: each one reached from the inputs that define it, with ai-runner's thresholds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthTracker, healthState, type HealthInputs } from '../../src/pipeline/health.js';

const T = 100_000;
const flowing: HealthInputs = { now: T, startedAt: T - 20_000, stopped: false, loading: false, firstInputAt: T - 19_000, lastInputAt: T - 30, inputFps: 30, lastOutputAt: T - 40, outputFps: 30 };

describe('stream health state', () => {
  it('ONLINE while input and output keep their rate', () => assert.equal(healthState(flowing), 'ONLINE'));
  it('OFFLINE once stopped, whatever else holds', () => assert.equal(healthState({ ...flowing, stopped: true, loading: true }), 'OFFLINE'));
  it('LOADING while the processor loads', () => assert.equal(healthState({ ...flowing, loading: true }), 'LOADING'));
  it('DEGRADED_INPUT below 15 fps in', () => assert.equal(healthState({ ...flowing, inputFps: 12, outputFps: 12 }), 'DEGRADED_INPUT'));
  it('DEGRADED_INPUT after 2 s without input (and before any input)', () => {
    assert.equal(healthState({ ...flowing, lastInputAt: T - 2100 }), 'DEGRADED_INPUT');
    assert.equal(healthState({ ...flowing, firstInputAt: undefined, lastInputAt: undefined, lastOutputAt: undefined, inputFps: 0, outputFps: 0 }), 'DEGRADED_INPUT');
  });
  it('DEGRADED_INFERENCE below min(10, 0.8 x input) fps out', () => {
    assert.equal(healthState({ ...flowing, outputFps: 9.9 }), 'DEGRADED_INFERENCE');
    assert.equal(healthState({ ...flowing, inputFps: 20, outputFps: 10.5 }), 'ONLINE', '10 fps out of 20 in is enough');
  });
  it('DEGRADED_INFERENCE for 15 s after a processor error and 60 s after a restart', () => {
    assert.equal(healthState({ ...flowing, lastErrorAt: T - 14_000 }), 'DEGRADED_INFERENCE');
    assert.equal(healthState({ ...flowing, lastErrorAt: T - 16_000 }), 'ONLINE');
    assert.equal(healthState({ ...flowing, lastRestartAt: T - 59_000 }), 'DEGRADED_INFERENCE');
  });
  it('ERROR when input flows and no output came for 5 s (or never, 5 s after the first input)', () => {
    assert.equal(healthState({ ...flowing, lastOutputAt: T - 5100, outputFps: 0 }), 'ERROR');
    assert.equal(healthState({ ...flowing, firstInputAt: T - 5100, lastOutputAt: undefined, outputFps: 0 }), 'ERROR');
    assert.equal(healthState({ ...flowing, firstInputAt: T - 3000, lastOutputAt: undefined, outputFps: 0 }), 'ONLINE', 'start-up: not yet');
  });
  it('the tracker reports each change once', () => {
    const h = new HealthTracker();
    assert.equal(h.update(flowing), 'LOADING');
    assert.equal(h.update(flowing), undefined);
    assert.equal(h.update({ ...flowing, stopped: true }), 'ONLINE');
    assert.equal(h.state, 'OFFLINE');
  });
});
