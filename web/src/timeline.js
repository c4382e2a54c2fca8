// The time slider: one step per calendar day from the first to the last snapshot,
// buttons to step a day or jump a month, and play/pause (which advances to the next date
// that has a snapshot, waiting for each frame to load before moving on).

import { addDays, addMonths, fromDay, nextAfter, toDay } from './dates.js';

const PLAY_INTERVAL_MS = 400;

export class Timeline {
  /**
   * @param {string[]} dates sorted ISO dates that have a snapshot
   * @param {(iso: string) => Promise<void>} onChange shows a date; resolves when drawn
   */
  constructor(dates, onChange) {
    this.dates = dates;
    this.first = dates[0];
    this.last = dates.at(-1);
    this.onChange = onChange;
    this.date = this.last;
    this.timer = null;
    this.slider = document.getElementById('slider');
    this.playButton = document.getElementById('play');
    this.slider.min = '0';
    this.slider.max = String(toDay(this.last) - toDay(this.first));
    this.slider.addEventListener('input', () => {
      this.pause();
      this.set(fromDay(toDay(this.first) + Number(this.slider.value)));
    });
    const on = (id, fn) => document.getElementById(id).addEventListener('click', () => {
      this.pause();
      fn();
    });
    on('step-back', () => this.set(addDays(this.date, -1)));
    on('step-fwd', () => this.set(addDays(this.date, 1)));
    on('month-back', () => this.set(addMonths(this.date, -1)));
    on('month-fwd', () => this.set(addMonths(this.date, 1)));
    this.playButton.addEventListener('click', () => (this.timer === null ? this.play() : this.pause()));
  }

  /** Clamp an ISO date into the slider's range. */
  clamp(iso) {
    if (iso < this.first) return this.first;
    if (iso > this.last) return this.last;
    return iso;
  }

  /** Move to a date (clamped) and show it; returns the onChange promise. */
  set(iso) {
    this.date = this.clamp(iso);
    this.slider.value = String(toDay(this.date) - toDay(this.first));
    document.getElementById('date-label').textContent = this.date;
    return this.onChange(this.date);
  }

  /** Start playing from the current date (from the start when at the end). */
  play() {
    if (this.date >= this.last) this.set(this.first);
    this.playButton.textContent = '⏸';
    this.playButton.setAttribute('aria-pressed', 'true');
    const tick = async () => {
      const next = nextAfter(this.dates, this.date);
      if (next === null) {
        this.pause();
        return;
      }
      const started = performance.now();
      try {
        await this.set(next);
      } catch {
        this.pause();
        return;
      }
      if (this.timer === null) return; // paused while loading
      const wait = Math.max(0, PLAY_INTERVAL_MS - (performance.now() - started));
      this.timer = setTimeout(tick, wait);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stop playing. */
  pause() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.playButton.textContent = '▶';
    this.playButton.setAttribute('aria-pressed', 'false');
  }
}
