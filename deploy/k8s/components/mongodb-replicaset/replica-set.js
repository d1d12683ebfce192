// Run by the mongodb-replica-set Job with mongosh, connected as root straight to mongodb-0.
// 1. Initiates the replica set with MONGODB_REPLICAS members, unless it has a config already.
// 2. Waits for a primary.
// 3. Creates each app's user, or updates its password and roles: readWrite on the database
//    named by the path of that app's <APP>_MONGO_URI, in the URI's authSource (default: that
//    database). Idempotent: run it again after changing a secret or adding a member.
const replicaSet = process.env.MONGODB_REPLICA_SET;
const count = parseInt(process.env.MONGODB_REPLICAS, 10);
const members = Array.from({length: count}, (_, i) => ({
  _id: i,
  host: `mongodb-${i}.mongodb-members:27017`,
  priority: i === 0 ? 2 : 1,
}));

let initiated = true;
try {
  rs.status();
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  initiated = false;
}
if (!initiated) {
  rs.initiate({_id: replicaSet, members});
  print(`initiated replica set ${replicaSet} with ${count} member(s)`);
} else {
  const known = rs.conf().members.map((m) => m.host);
  for (const member of members) {
    if (!known.includes(member.host)) {
      rs.add({host: member.host, priority: member.priority});
      print(`added member ${member.host}`);
    }
  }
}

const root = encodeURIComponent(process.env.MONGO_INITDB_ROOT_USERNAME);
const rootPassword = encodeURIComponent(process.env.MONGO_INITDB_ROOT_PASSWORD);
const seeds = members.map((m) => m.host).join(",");
const cluster = new Mongo(
  `mongodb://${root}:${rootPassword}@${seeds}/admin?replicaSet=${replicaSet}&authSource=admin`);
for (let attempt = 0; !cluster.getDB("admin").hello().isWritablePrimary; attempt++) {
  if (attempt > 120) throw new Error("no primary after 2 minutes");
  sleep(1000);
}

for (const app of ["gateway", "planning", "delivery", "assessment", "feedback", "resources", "archive", "webhooks"]) {
  const variable = `${app.toUpperCase()}_MONGO_URI`;
  const raw = process.env[variable];
  if (!raw) throw new Error(`${variable} is not set`);
  const uri = new URL(raw);
  const database = decodeURIComponent(uri.pathname.replace(/^\//, ""));
  const user = decodeURIComponent(uri.username);
  const pwd = decodeURIComponent(uri.password);
  if (!database || !user || !pwd) throw new Error(`${variable} needs a user, a password and a database`);
  const authDb = cluster.getDB(uri.searchParams.get("authSource") || database);
  const roles = [{role: "readWrite", db: database}];
  if (authDb.getUser(user)) {
    authDb.updateUser(user, {pwd, roles});
    print(`updated user ${user}: readWrite on ${database}`);
  } else {
    authDb.createUser({user, pwd, roles});
    print(`created user ${user}: readWrite on ${database}`);
  }
}
