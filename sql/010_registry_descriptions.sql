-- Registry: a hypothesis keeps the marketer's description (what control and treatment get, how the result
-- will be used) next to its title. Descriptive only: not part of the frozen plan, so the trigger ignores it.
ALTER TABLE hypotheses ADD COLUMN description text NOT NULL DEFAULT '';

-- `journeylab audit --journey J` reads a journey's rows and those of its hypotheses.
CREATE INDEX hypotheses_by_journey ON hypotheses (journey_key, key);
