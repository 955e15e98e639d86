/* Host stub: the parts of the Arduino-ESP32 core the sketch uses (declarations only). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define OUTPUT 0x03
#define LOW 0x0
#define HIGH 0x1

class HardwareSerial {
 public:
  void begin(unsigned long baud);
  size_t setRxBufferSize(size_t size);
  size_t setTxBufferSize(size_t size);
  int available();
  int read();
  size_t write(const uint8_t *buffer, size_t size);
  size_t write(uint8_t c);
  void flush();
};
extern HardwareSerial Serial;

unsigned long millis();
unsigned long micros();
void delay(uint32_t ms);
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t val);

/* arduino-esp32 core version (the sketch supports 2.x and 3.x; `make sketch` checks both). */
#ifndef ESP_ARDUINO_VERSION_MAJOR
#define ESP_ARDUINO_VERSION_MAJOR 3
#endif
#if ESP_ARDUINO_VERSION_MAJOR >= 3
bool ledcAttach(uint8_t pin, uint32_t freq, uint8_t resolution);
bool ledcWrite(uint8_t pin, uint32_t duty);
#else
uint32_t ledcSetup(uint8_t channel, uint32_t freq, uint8_t resolution_bits);
void ledcAttachPin(uint8_t pin, uint8_t channel);
void ledcWrite(uint8_t channel, uint32_t duty);
#endif
bool psramFound();
