// Every test process must behave like production here: Apollo must never phone home.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
