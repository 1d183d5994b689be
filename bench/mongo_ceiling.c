/*
 * The worker-drain ceiling of `make bench`: raw libmongoc unordered bulk
 * inserts of the documents the worker stored, into the same server.
 *
 *   mongo_ceiling URI SRC_DB DST_DB BATCH
 *
 * Reads every document of the six event collections of SRC_DB (the worker's
 * database after the drain), puts them back in stream order (receivedAt, the
 * order ingest appended them), then — timed — inserts them into DST_DB in
 * batches of BATCH documents, each batch as one unordered bulk per collection,
 * which is the shape of the worker's writes without its decoding, enrichment,
 * session and visitor updates or Redis traffic. DST_DB should be empty and
 * have the same secondary indexes as SRC_DB (bench/driver.py sets that up).
 *
 * Prints one JSON line: documents, seconds, documents_per_s, bulks, client
 * CPU. Exits non-zero on any error, including a single failed insert.
 *
 * Build: gcc -O2 -o mongo_ceiling mongo_ceiling.c $(pkg-config --cflags --libs libmongoc-1.0)
 */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *const COLLECTIONS[] = {
    "pageviews", "chatinteractions", "toolusages", "labexperiments", "userevents", "apiusages",
};
#define NCOLLECTIONS (sizeof COLLECTIONS / sizeof COLLECTIONS[0])

typedef struct {
    bson_t *doc;
    int64_t received_at;
    size_t collection;
    size_t order; /* read order, to keep the sort stable */
} item_t;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static int by_stream_order(const void *a, const void *b) {
    const item_t *x = a, *y = b;
    if (x->received_at != y->received_at) return x->received_at < y->received_at ? -1 : 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

static void die(const char *what, const bson_error_t *error) {
    fprintf(stderr, "mongo_ceiling: %s: %s\n", what, error ? error->message : "");
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s URI SRC_DB DST_DB BATCH\n", argv[0]);
        return 2;
    }
    const char *uri = argv[1], *src_db = argv[2], *dst_db = argv[3];
    size_t batch = (size_t)strtoul(argv[4], NULL, 10);
    if (batch == 0) batch = 500;

    mongoc_init();
    bson_error_t error;
    mongoc_client_t *client = mongoc_client_new(uri);
    if (!client) die("bad URI", NULL);
    mongoc_client_set_appname(client, "sluice-bench-ceiling");

    /* Read everything first; this part is not timed. */
    size_t count = 0, capacity = 1024;
    item_t *items = malloc(capacity * sizeof *items);
    for (size_t c = 0; c < NCOLLECTIONS; c++) {
        mongoc_collection_t *coll = mongoc_client_get_collection(client, src_db, COLLECTIONS[c]);
        bson_t filter = BSON_INITIALIZER;
        mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
        const bson_t *doc;
        while (mongoc_cursor_next(cursor, &doc)) {
            if (count == capacity) {
                capacity *= 2;
                items = realloc(items, capacity * sizeof *items);
            }
            bson_iter_t it;
            int64_t received = 0;
            if (bson_iter_init_find(&it, doc, "receivedAt") && BSON_ITER_HOLDS_DATE_TIME(&it)) {
                received = bson_iter_date_time(&it);
            }
            items[count] = (item_t){bson_copy(doc), received, c, count};
            count++;
        }
        if (mongoc_cursor_error(cursor, &error)) die("reading the source documents", &error);
        mongoc_cursor_destroy(cursor);
        bson_destroy(&filter);
        mongoc_collection_destroy(coll);
    }
    qsort(items, count, sizeof *items, by_stream_order);

    mongoc_collection_t *targets[NCOLLECTIONS];
    for (size_t c = 0; c < NCOLLECTIONS; c++) {
        targets[c] = mongoc_client_get_collection(client, dst_db, COLLECTIONS[c]);
    }
    bson_t *bulk_opts = BCON_NEW("ordered", BCON_BOOL(false));
    /* One round trip before the clock starts, so connecting is not timed. */
    bson_t ping = BSON_INITIALIZER;
    BSON_APPEND_INT32(&ping, "ping", 1);
    if (!mongoc_client_command_simple(client, "admin", &ping, NULL, NULL, &error)) die("ping", &error);
    bson_destroy(&ping);

    double cpu0 = cpu_seconds();
    double t0 = now_seconds();
    size_t bulks = 0, inserted = 0;
    for (size_t start = 0; start < count; start += batch) {
        size_t end = start + batch < count ? start + batch : count;
        for (size_t c = 0; c < NCOLLECTIONS; c++) {
            mongoc_bulk_operation_t *bulk = NULL;
            for (size_t i = start; i < end; i++) {
                if (items[i].collection != c) continue;
                if (!bulk) bulk = mongoc_collection_create_bulk_operation_with_opts(targets[c], bulk_opts);
                if (!mongoc_bulk_operation_insert_with_opts(bulk, items[i].doc, NULL, &error)) die("queueing an insert", &error);
            }
            if (!bulk) continue;
            bson_t reply;
            if (!mongoc_bulk_operation_execute(bulk, &reply, &error)) {
                char *json = bson_as_relaxed_extended_json(&reply, NULL);
                fprintf(stderr, "mongo_ceiling: bulk failed: %s\n%s\n", error.message, json);
                bson_free(json);
                return 1;
            }
            bson_iter_t it;
            if (bson_iter_init_find(&it, &reply, "nInserted")) inserted += (size_t)bson_iter_as_int64(&it);
            bson_destroy(&reply);
            mongoc_bulk_operation_destroy(bulk);
            bulks++;
        }
    }
    double seconds = now_seconds() - t0;
    double cpu = cpu_seconds() - cpu0;
    if (inserted != count) {
        fprintf(stderr, "mongo_ceiling: inserted %zu of %zu documents\n", inserted, count);
        return 1;
    }
    printf("{\"documents\": %zu, \"seconds\": %.4f, \"documents_per_s\": %.1f, \"bulks\": %zu, \"batch_size\": %zu, "
           "\"client_cpu_s\": %.3f, \"client_cpu_us_per_doc\": %.2f, \"client_cpu_percent\": %.1f}\n",
           count, seconds, seconds > 0 ? (double)count / seconds : 0.0, bulks, batch, cpu,
           count ? 1e6 * cpu / (double)count : 0.0, seconds > 0 ? 100.0 * cpu / seconds : 0.0);

    for (size_t i = 0; i < count; i++) bson_destroy(items[i].doc);
    free(items);
    bson_destroy(bulk_opts);
    for (size_t c = 0; c < NCOLLECTIONS; c++) mongoc_collection_destroy(targets[c]);
    mongoc_client_destroy(client);
    mongoc_cleanup();
    return 0;
}
