/* Two timing faults of libvlc 3's PulseAudio output, injected on purpose (LD_PRELOAD) so that a
 * test meets, every time, what a loaded machine produces now and then (tests/pulse_faults.py).
 *
 * libvlc 3.0.24's pulse output, at the end of a film, drains the stream: it asks PulseAudio to
 * drain, sleeps for the latency it estimates (vlc_pa_get_latency) and corks the stream. When
 * the estimate is short, the film's last samples stay in the corked stream. When the player is
 * stopped later, its flush first uncorks a corked stream (and triggers it), then flushes it:
 * whatever the server plays between the two commands is heard.
 *
 * PA_FAULT_DRAIN_SHORT_MS=N: the latency estimate taken at a drain is N ms short (the stream
 *   is corked with about N ms of the film left in it).
 * PA_FAULT_FLUSH_LATE_MS=N: the flush reaches the server N ms after the uncork before it.
 *   libvlc calls pa_stream_flush with the threaded mainloop locked, so nothing it queued is
 *   sent until it unlocks: the lock is let go for the N ms, the uncork goes out, the flush
 *   follows N ms later.
 * Each fault injected is reported on stderr as a line starting "PA-FAULT".
 *
 * Only libpulse's and libvlc_pulse's own entry points are wrapped; they are looked up in the
 * libraries already loaded (libvlc loads them with its pulse plugin, not in the global scope).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct pa_threaded_mainloop pa_threaded_mainloop;
typedef struct pa_stream pa_stream;
typedef struct pa_context pa_context;
typedef struct pa_operation pa_operation;
typedef void (*pa_stream_success_cb_t)(pa_stream *, int, void *);
typedef long long vlc_tick_t; /* mtime_t in libvlc 3: microseconds */

static void *lookup(const char *library, const char *name)
{
    void *handle = dlopen(library, RTLD_NOW | RTLD_NOLOAD);
    if (handle == NULL)
        handle = dlopen(library, RTLD_NOW);
    return handle != NULL ? dlsym(handle, name) : NULL;
}

static int fault_ms(const char *variable)
{
    const char *value = getenv(variable);
    return value != NULL ? atoi(value) : 0;
}

static __thread pa_threaded_mainloop *locked; /* the mainloop this thread holds, if any */
static __thread int draining;                 /* this thread asked for a drain just now */

void pa_threaded_mainloop_lock(pa_threaded_mainloop *mainloop)
{
    static void (*real)(pa_threaded_mainloop *);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_threaded_mainloop_lock");
    real(mainloop);
    locked = mainloop;
}

void pa_threaded_mainloop_unlock(pa_threaded_mainloop *mainloop)
{
    static void (*real)(pa_threaded_mainloop *);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_threaded_mainloop_unlock");
    locked = NULL;
    real(mainloop);
}

pa_operation *pa_stream_drain(pa_stream *stream, pa_stream_success_cb_t done, void *data)
{
    static pa_operation *(*real)(pa_stream *, pa_stream_success_cb_t, void *);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_stream_drain");
    draining = 1;
    return real(stream, done, data);
}

vlc_tick_t vlc_pa_get_latency(void *object, pa_context *context, pa_stream *stream)
{
    static vlc_tick_t (*real)(void *, pa_context *, pa_stream *);
    if (real == NULL)
        real = lookup("libvlc_pulse.so.0", "vlc_pa_get_latency");
    vlc_tick_t latency = real(object, context, stream);
    int short_ms = fault_ms("PA_FAULT_DRAIN_SHORT_MS");
    if (draining && short_ms > 0 && latency > 0) {
        vlc_tick_t taken = latency - short_ms * 1000LL;
        latency = taken > 0 ? taken : 0;
        fprintf(stderr, "PA-FAULT drain-short %d ms\n", short_ms);
    }
    draining = 0;
    return latency;
}

pa_operation *pa_stream_flush(pa_stream *stream, pa_stream_success_cb_t done, void *data)
{
    static pa_operation *(*real)(pa_stream *, pa_stream_success_cb_t, void *);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_stream_flush");
    pa_threaded_mainloop *mainloop = locked;
    int late_ms = fault_ms("PA_FAULT_FLUSH_LATE_MS");
    if (mainloop != NULL && late_ms > 0) {
        pa_threaded_mainloop_unlock(mainloop);
        usleep((useconds_t)late_ms * 1000);
        pa_threaded_mainloop_lock(mainloop);
        fprintf(stderr, "PA-FAULT flush-late %d ms\n", late_ms);
    }
    return real(stream, done, data);
}
