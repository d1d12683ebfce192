// Command ferretdb runs FerretDB's embeddable package as a small local MongoDB-protocol server
// on SQLite, for the quickstart and the test suite.
//
// Built from the project's own module because `go install .../cmd/ferretdb@v1.24.2` panics at
// start-up: the module proxy's copy lacks the build/version/version.txt that release builds embed.
// The embedded package never starts telemetry or a debug HTTP listener, so nothing reaches outward.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite URI of the data directory (must end with /)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatalf("bad -log-level: %v", err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listenAddr},
		Handler:   "sqlite",
		SQLiteURL: *sqliteURL,
		Logger:    logger,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger.Info("ferretdb listening", "uri", server.MongoDBURI(), "sqlite", *sqliteURL)
	if err := server.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
