/**
 * Run a synchronous CLI main: a thrown error prints its message and exits 1, and a reader that
 * closes stdout early (`… | head`) ends the program quietly instead of with EPIPE.
 */
export function runCli(main: () => void): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
