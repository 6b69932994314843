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
 * PA_FAULT_PAUSE_LATE_MS=N: a player's pause (libvlc_media_player_set_pause(1), which asks
 *   its input with input_Control(INPUT_SET_STATE, PAUSE_S)) reaches the input N ms late, on a
 *   thread of its own: the caller returns at once, as it does when the pause is simply slow.
 *   What a loaded machine does to the priming pause now and then (the film primes on, playing,
 *   until it lands); here at every pause the app asks for. The order of state changes is kept:
 *   one asked for while a late pause is on its way waits for it (a resume never overtakes it).
 * Each fault injected is reported on stderr as a line starting "PA-FAULT".
 * PA_TRACE=1: every cork, uncork, trigger, drain, flush and sink-input mute or volume change
 *   (and each write's size) is reported on stderr as "PA-TRACE <CLOCK_MONOTONIC seconds> <call>",
 *   to lay the calls beside a capture recorded at the same time (nothing is changed).
 *
 * Only libpulse's, libvlc_pulse's and libvlccore's own entry points are wrapped; they are
 * looked up in the libraries already loaded (libvlc loads the pulse ones with its plugin, not
 * in the global scope).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
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

static void trace(const char *format, ...)
{
    static int enabled = -1;
    if (enabled < 0)
        enabled = fault_ms("PA_TRACE") > 0;
    if (!enabled)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[160];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof(line), format, args);
    va_end(args);
    fprintf(stderr, "PA-TRACE %ld.%06ld %s\n", (long)now.tv_sec, now.tv_nsec / 1000, line);
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
    trace("drain %p", (void *)stream);
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
    if (draining)
        trace("latency at the drain %lld us", latency);
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
    trace("flush %p", (void *)stream);
    return real(stream, done, data);
}

pa_operation *pa_stream_cork(pa_stream *stream, int b, pa_stream_success_cb_t done, void *data)
{
    static pa_operation *(*real)(pa_stream *, int, pa_stream_success_cb_t, void *);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_stream_cork");
    trace("%s %p", b ? "cork" : "uncork", (void *)stream);
    return real(stream, b, done, data);
}

pa_operation *pa_stream_trigger(pa_stream *stream, pa_stream_success_cb_t done, void *data)
{
    static pa_operation *(*real)(pa_stream *, pa_stream_success_cb_t, void *);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_stream_trigger");
    trace("trigger %p", (void *)stream);
    return real(stream, done, data);
}

int pa_stream_write(pa_stream *stream, const void *bytes, size_t size, void (*free_cb)(void *),
                    long long offset, int seek)
{
    static int (*real)(pa_stream *, const void *, size_t, void (*)(void *), long long, int);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_stream_write");
    trace("write %p %zu bytes", (void *)stream, size);
    return real(stream, bytes, size, free_cb, offset, seek);
}

typedef void (*pa_context_success_cb_t)(pa_context *, int, void *);

pa_operation *pa_context_set_sink_input_mute(pa_context *context, unsigned index, int mute,
                                             pa_context_success_cb_t done, void *data)
{
    static pa_operation *(*real)(pa_context *, unsigned, int, pa_context_success_cb_t, void *);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_context_set_sink_input_mute");
    trace("mute %u %d", index, mute);
    return real(context, index, mute, done, data);
}

pa_operation *pa_context_set_sink_input_volume(pa_context *context, unsigned index,
                                               const void *volume, pa_context_success_cb_t done,
                                               void *data)
{
    static pa_operation *(*real)(pa_context *, unsigned, const void *, pa_context_success_cb_t,
                                 void *);
    if (real == NULL)
        real = lookup("libpulse.so.0", "pa_context_set_sink_input_volume");
    trace("volume %u", index);
    return real(context, index, volume, done, data);
}

/* libvlc 3's input controls (vlc_input.h, not installed): enum input_query_e, input_state_e */
typedef struct input_thread_t input_thread_t;
enum { INPUT_SET_STATE = 8 };
enum { PAUSE_S = 3 };

static int (*real_control)(input_thread_t *, int, ...);
static int (*real_va_control)(input_thread_t *, int, va_list);
static void *(*object_hold)(void *);
static void (*object_release)(void *);

static void find_input_control(void)
{
    if (real_va_control != NULL)
        return;
    real_control = lookup("libvlccore.so.9", "input_Control");
    object_hold = lookup("libvlccore.so.9", "vlc_object_hold");
    object_release = lookup("libvlccore.so.9", "vlc_object_release");
    real_va_control = lookup("libvlccore.so.9", "input_vaControl");
}

struct late_pause {
    input_thread_t *input; /* held until the pause is sent */
    int late_ms;
};

static pthread_mutex_t late_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t late_sent = PTHREAD_COND_INITIALIZER;
static int late_pending; /* late pauses not sent yet */

static void *pause_later(void *data)
{
    struct late_pause *pause = data;
    usleep((useconds_t)pause->late_ms * 1000);
    real_control(pause->input, INPUT_SET_STATE, PAUSE_S);
    object_release(pause->input);
    fprintf(stderr, "PA-FAULT pause-late %d ms\n", pause->late_ms);
    free(pause);
    pthread_mutex_lock(&late_lock);
    late_pending--;
    pthread_cond_broadcast(&late_sent);
    pthread_mutex_unlock(&late_lock);
    return NULL;
}

int input_Control(input_thread_t *input, int query, ...)
{
    find_input_control();
    va_list args;
    va_start(args, query);
    int late_ms = fault_ms("PA_FAULT_PAUSE_LATE_MS");
    if (query == INPUT_SET_STATE && late_ms > 0) {
        va_list peek;
        va_copy(peek, args);
        int state = va_arg(peek, int);
        va_end(peek);
        struct late_pause *pause = state == PAUSE_S ? malloc(sizeof(*pause)) : NULL;
        pthread_t thread;
        pthread_mutex_lock(&late_lock);
        if (pause != NULL) {
            pause->input = object_hold(input);
            pause->late_ms = late_ms;
            if (pthread_create(&thread, NULL, pause_later, pause) == 0) {
                late_pending++;
                pthread_mutex_unlock(&late_lock);
                pthread_detach(thread);
                va_end(args);
                return 0; /* VLC_SUCCESS: the pause is on its way */
            }
            object_release(input);
            free(pause);
        }
        while (late_pending > 0) /* a resume never overtakes a late pause */
            pthread_cond_wait(&late_sent, &late_lock);
        pthread_mutex_unlock(&late_lock);
    }
    int result = real_va_control(input, query, args);
    va_end(args);
    return result;
}
