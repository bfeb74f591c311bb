// kinesalite on 127.0.0.1 only (its own CLI listens on every interface), streams ACTIVE at once
// like moto's (kinesalite keeps a new stream CREATING for 500 ms by default).
const kinesalite = require('kinesalite')

const port = Number(process.argv[2])
const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 })
server.listen(port, '127.0.0.1', () => console.log(`kinesalite listening on 127.0.0.1:${port}`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
