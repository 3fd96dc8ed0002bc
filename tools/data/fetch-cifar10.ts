// Downloads CIFAR-10 (binary version), checks the published MD5 and unpacks it into the data dir
// (CONJUGATE_DATA_DIR, else ./.conjugate/data). Usage: npx tsx tools/data/fetch-cifar10.ts [DATA_DIR]
import { fetchCifar10 } from '@conjugate/datasets';

fetchCifar10({ dataDir: process.argv[2], log: (line) => console.log(line) }).then(
  (result) => console.log(result.alreadyPresent ? `CIFAR-10 is already in ${result.dir}` : `done: ${result.dir}`),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
