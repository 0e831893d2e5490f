// Plain JavaScript on purpose: it must run, and explain, on an older Node too.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `This project runs on Node.js 24, but \`${process.execPath}\` is ${process.version}.\n` +
      "Run `npm install` first: it puts Node 24 (the npm `node` package) in node_modules/.bin, which every npm script uses.",
  );
  process.exit(1);
}
