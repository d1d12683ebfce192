// Runs once, on an empty data volume (the image's /docker-entrypoint-initdb.d), as root.
// Each service gets readWrite on its own database only, with the user, password and
// authSource taken from the MONGO_URI that service is given.
const services = ["planning", "delivery", "assessment", "feedback", "resources", "archive"];

for (const service of services) {
  const variable = `${service.toUpperCase()}_MONGO_URI`;
  const raw = process.env[variable];
  if (!raw) {
    throw new Error(`${variable} is not set`);
  }
  const uri = new URL(raw);
  const database = decodeURIComponent(uri.pathname.replace(/^\//, ""));
  const user = decodeURIComponent(uri.username);
  const pwd = decodeURIComponent(uri.password);
  if (!database || !user || !pwd) {
    throw new Error(`${variable} needs a user, a password and a database`);
  }
  const authSource = uri.searchParams.get("authSource") || database;
  db.getSiblingDB(authSource).createUser({user, pwd, roles: [{role: "readWrite", db: database}]});
  print(`created user ${user} with readWrite on ${database}`);
}
