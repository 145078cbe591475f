// MQTT transport on libmosquitto (see Mqtt.hpp).
#include "live/feed/Mqtt.hpp"

#include <mosquitto.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include "live/feed/Sparkplug.hpp"
#include "scenes/InputError.hpp"

namespace safetwin::live {

namespace {

/// mosquitto_lib_init once per process (it is not reference counted in 2.0).
void libInit() {
    static const int rc = mosquitto_lib_init();
    (void)rc;
}

std::string clientId(const std::string& given, const char* prefix) {
    if (!given.empty()) return given;
    static std::atomic<int> counter{0};
    return std::string(prefix) + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

}  // namespace

MqttOptions parseBroker(const std::string& text) {
    MqttOptions o;
    const size_t colon = text.rfind(':');
    o.host = colon == std::string::npos ? text : text.substr(0, colon);
    if (colon != std::string::npos) {
        const std::string port = text.substr(colon + 1);
        char* end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end != 0 || p < 1 || p > 65535)
            throw InputError("--broker '" + text + "': port '" + port +
                             "' is not a number in [1, 65535]");
        o.port = int(p);
    }
    if (o.host.empty()) throw InputError("--broker '" + text + "': expected HOST[:PORT]");
    return o;
}

// [SECTION] MqttClient -------------------------------------------------------------------------

MqttClient::MqttClient(LiveFeed& feed, MqttOptions options, Recorder* recorder)
    : feed_(feed), options_(std::move(options)), recorder_(recorder) {
    libInit();
    mosq_ = mosquitto_new(clientId(options_.client_id, "safetwin").c_str(), true, this);
    if (!mosq_) throw std::runtime_error("cannot create an MQTT client (out of memory)");
    mosquitto_connect_callback_set(mosq_, &MqttClient::onConnect);
    mosquitto_disconnect_callback_set(mosq_, &MqttClient::onDisconnect);
    mosquitto_message_callback_set(mosq_, &MqttClient::onMessage);
    mosquitto_subscribe_callback_set(mosq_, &MqttClient::onSubscribe);
    mosquitto_reconnect_delay_set(mosq_, 1, unsigned(std::max(1, options_.reconnect_max_s)), false);
    // Sparkplug host application state (spec 3.0.0, 7.5): offline as the will, retained.
    const std::string off = "{\"online\": false, \"timestamp\": 0}";
    mosquitto_will_set(mosq_, ("spBv1.0/STATE/" + options_.host_id).c_str(), int(off.size()),
                       off.data(), 1, true);
    feed_.setSource("mqtt://" + options_.host + ":" + std::to_string(options_.port));
}

MqttClient::~MqttClient() {
    stop();
    if (mosq_) mosquitto_destroy(mosq_);
}

void MqttClient::start() {
    if (running_) return;
    running_ = true;
    const int rc =
        mosquitto_connect_async(mosq_, options_.host.c_str(), options_.port, options_.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
        // Broker down at start: the network thread keeps retrying; the gap is open from now.
        const double now = unixNow();
        if (recorder_) recorder_->event(now, "broker_lost");
        feed_.brokerLost(now);
    }
    mosquitto_loop_start(mosq_);
}

void MqttClient::stop() {
    if (!running_) return;
    running_ = false;
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    connected_ = false;
    if (recorder_) recorder_->flush();
}

bool MqttClient::waitConnected(double timeout_s) {
    std::unique_lock lock(wait_mutex_);
    return wait_cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                             [&] { return connected_.load() && subscribed_.load(); });
}

void MqttClient::onSubscribe(mosquitto*, void* self, int, int, const int*) {
    auto* c = static_cast<MqttClient*>(self);
    {
        std::lock_guard lock(c->wait_mutex_);
        c->subscribed_ = true;
    }
    c->wait_cv_.notify_all();
}

void MqttClient::onConnect(mosquitto* m, void* self, int rc) {
    auto* c = static_cast<MqttClient*>(self);
    if (rc != 0) return;  // refused; libmosquitto retries
    c->subscribed_ = false;
    // One SUBSCRIBE for every topic, so one SUBACK says all are in place.
    std::vector<char*> topics;
    for (const std::string& t : c->options_.topics) topics.push_back(const_cast<char*>(t.c_str()));
    mosquitto_subscribe_multiple(m, nullptr, int(topics.size()), topics.data(), 1, 0, nullptr);
    const std::string on =
        "{\"online\": true, \"timestamp\": " + std::to_string((long long)(unixNow() * 1000)) + "}";
    mosquitto_publish(m, nullptr, ("spBv1.0/STATE/" + c->options_.host_id).c_str(), int(on.size()),
                      on.data(), 1, true);
    const double now = unixNow();
    if (c->recorder_) c->recorder_->event(now, "connected");
    c->feed_.brokerConnected(now);
    {
        std::lock_guard lock(c->wait_mutex_);
        c->connected_ = true;
    }
    c->wait_cv_.notify_all();
}

void MqttClient::onDisconnect(mosquitto*, void* self, int) {
    auto* c = static_cast<MqttClient*>(self);
    c->connected_ = false;
    c->subscribed_ = false;
    if (!c->running_) return;  // our own stop()
    const double now = unixNow();
    if (c->recorder_) c->recorder_->event(now, "broker_lost");
    c->feed_.brokerLost(now);
}

void MqttClient::onMessage(mosquitto* m, void* self, const mosquitto_message* msg) {
    auto* c = static_cast<MqttClient*>(self);
    const double now = unixNow();
    ++c->messages_;
    const std::string_view topic(msg->topic ? msg->topic : "");
    const std::string_view payload(static_cast<const char*>(msg->payload),
                                   size_t(std::max(0, msg->payloadlen)));
    if (c->recorder_) c->recorder_->message(now, topic, payload);
    for (const Outgoing& o : c->feed_.ingest(topic, payload, now))
        mosquitto_publish(m, nullptr, o.topic.c_str(), int(o.payload.size()), o.payload.data(), 0,
                          false);
}

// [SECTION] MqttPublisher ----------------------------------------------------------------------

MqttPublisher::MqttPublisher(const MqttOptions& broker, double timeout_s,
                             const std::string& will_topic, const std::string& will_payload) {
    libInit();
    mosq_ = mosquitto_new(clientId(broker.client_id, "safetwin-pub").c_str(), true, this);
    if (!mosq_) throw std::runtime_error("cannot create an MQTT client (out of memory)");
    mosquitto_publish_callback_set(mosq_, &MqttPublisher::onPublish);
    mosquitto_connect_callback_set(mosq_, &MqttPublisher::onConnect);
    // No cap on queued messages: a drill publishes bursts faster than one round trip.
    mosquitto_max_inflight_messages_set(mosq_, 0);
    if (!will_topic.empty())
        mosquitto_will_set(mosq_, will_topic.c_str(), int(will_payload.size()), will_payload.data(),
                           1, false);
    const std::string where = broker.host + ":" + std::to_string(broker.port);
    int rc = mosquitto_connect(mosq_, broker.host.c_str(), broker.port, broker.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
        mosquitto_destroy(mosq_);
        mosq_ = nullptr;
        throw std::runtime_error("cannot connect to the MQTT broker at " + where + ": " +
                                 mosquitto_strerror(rc));
    }
    mosquitto_loop_start(mosq_);
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                      [&] { return connect_rc_ >= 0; }) ||
        connect_rc_ != 0) {
        lock.unlock();
        mosquitto_disconnect(mosq_);
        mosquitto_loop_stop(mosq_, false);
        mosquitto_destroy(mosq_);
        mosq_ = nullptr;
        throw std::runtime_error("the MQTT broker at " + where + " did not accept the connection");
    }
}

MqttPublisher::~MqttPublisher() {
    if (!mosq_) return;
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
}

void MqttPublisher::onConnect(mosquitto*, void* self, int rc) {
    auto* p = static_cast<MqttPublisher*>(self);
    {
        std::lock_guard lock(p->mutex_);
        p->connect_rc_ = rc;
        p->connected_ = rc == 0;
    }
    p->cv_.notify_all();
}

void MqttPublisher::onPublish(mosquitto*, void* self, int) {
    auto* p = static_cast<MqttPublisher*>(self);
    {
        std::lock_guard lock(p->mutex_);
        ++p->done_;
    }
    p->cv_.notify_all();
}

bool MqttPublisher::publish(const std::string& topic, const std::string& payload, int qos,
                            bool retain) {
    {
        std::lock_guard lock(mutex_);
        ++queued_;
    }
    const int rc = mosquitto_publish(mosq_, nullptr, topic.c_str(), int(payload.size()),
                                     payload.data(), qos, retain);
    if (rc != MOSQ_ERR_SUCCESS) {
        std::lock_guard lock(mutex_);
        --queued_;
        return false;
    }
    return true;
}

bool MqttPublisher::flush(double timeout_s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                        [&] { return done_ >= queued_; });
}

void MqttPublisher::abort() {
    // Closing the socket without DISCONNECT makes the broker publish the will.
    mosquitto_loop_stop(mosq_, true);
    const int fd = mosquitto_socket(mosq_);
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
    mosquitto_destroy(mosq_);
    mosq_ = nullptr;
}

}  // namespace safetwin::live
