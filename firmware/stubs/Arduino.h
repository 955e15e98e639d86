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
void analogWrite(uint8_t pin, int value);
bool psramFound();
